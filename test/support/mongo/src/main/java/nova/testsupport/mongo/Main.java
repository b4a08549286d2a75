package nova.testsupport.mongo;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * Starts an in-memory MongoDB wire-protocol server for the integration tests.
 *
 * <p>Usage: {@code java -jar nova-mongo-emulator.jar [port]} (0 or nothing = a free port).
 * Binds 127.0.0.1 only, prints {@code LISTENING <port>} on stdout once it accepts
 * connections, and exits as soon as stdin reaches end-of-file, so it can never
 * outlive the test process that spawned it (that process's death closes the pipe).
 */
public final class Main {

    /**
     * The library's newest built-in version (MONGO_5_0) reports wire version 8, but the
     * official Node driver 7.x refuses servers below wire version 9 (MongoDB 4.4).
     * The version is only advertised in hello/isMaster and buildInfo, so we report 4.4.
     */
    private static final MongoVersion MONGO_4_4 = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(4, 4, 0);
        }

        @Override
        public int getWireVersion() {
            return 9;
        }
    };

    private Main() {}

    public static void main(String[] args) throws Exception {
        // Must be set before any logger exists: only warnings and errors reach stderr.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");

        int port = args.length > 0 ? parsePort(args[0]) : 0;
        MongoServer server = new MongoServer(new MemoryBackend().version(MONGO_4_4));
        server.bind("127.0.0.1", port);
        InetSocketAddress address = server.getLocalAddress();
        System.out.println("LISTENING " + address.getPort());
        System.out.flush();

        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "mongo-emulator-shutdown"));
        waitForEndOfInput(System.in);
        server.shutdownNow();
        System.exit(0);
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text.trim());
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            System.err.println("invalid port '" + text + "': give a number 0-65535 (0 = any free port)");
            System.exit(2);
            return -1;
        }
    }

    /** Blocks until the parent closes our stdin (or dies, which closes it too). */
    private static void waitForEndOfInput(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // Input is ignored; only end-of-file matters.
            }
        } catch (IOException e) {
            // A broken pipe means the parent is gone: shut down as for EOF.
        }
    }
}
