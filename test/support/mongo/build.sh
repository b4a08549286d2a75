#!/usr/bin/env bash
# Builds the MongoDB emulator used by the integration tests (test/support/mongo-server.ts)
# into test/support/mongo/target/nova-mongo-emulator.jar. Called by .ci/run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mvn -q -B -Dstyle.color=never -f "$here/pom.xml" package -DskipTests
