/**
 * The desktop app's identity, shared with the installers: electron-builder.yml
 * uses the same app id (a unit test keeps them equal). On Windows it is the
 * AppUserModelId, which names the start-at-login entry the app writes and
 * the NSIS uninstaller removes (resources/installer/kiosk.nsh).
 */
export const APP_ID = 'org.novauniverse.novadb';
export const PRODUCT_NAME = 'Nova DB';
