// Suite-wide setup: servers shared by integration suites are started here.
export default function setup(): void {}
