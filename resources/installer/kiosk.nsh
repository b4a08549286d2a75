; Included by the NSIS installer (electron-builder.yml, nsis.include).
; Kiosk installs: `"Nova DB-Setup-<version>.exe" /S /KIOSK` installs for the
; current user, then starts Nova DB once with `--kiosk --auto-start`, which
; turns on start at login with --kiosk (the app's own setting, so Settings
; shows it and can turn it off) and opens the kiosk window.
; The uninstaller removes the start-at-login entry the app wrote; the app
; names it after the app id (main/electron/index.ts sets the AppUserModelId).
!include "FileFunc.nsh"

!macro customInstall
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/KIOSK" $R1
  ${IfNot} ${Errors}
    Exec '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" --kiosk --auto-start'
  ${EndIf}
!macroend

!macro customUnInstall
  DeleteRegValue HKCU "Software\Microsoft\Windows\CurrentVersion\Run" "${APP_ID}"
!macroend
