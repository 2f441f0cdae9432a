@echo off
rem Inlet's native-messaging host launcher for Windows (docs\discovery.md). Chrome runs a .cmd host
rem through cmd.exe and passes "chrome-extension://ID/ --parent-window=N"; %* passes it on.
rem   - packaged app (this file in <resources>\native-host\, beside the bundled host): the app's
rem     own Inlet.exe runs the host as plain Node (ELECTRON_RUN_AS_NODE=1);
rem   - source checkout (this file in <repo>\build\native-host\): node runs dist\native-host\main.js.
rem stdout belongs to the native-messaging protocol: nothing here may print to it.
rem Labels and goto instead of ( ) blocks: a path such as "Program Files (x86)" breaks blocks.
setlocal
rem The host makes no TLS connection and takes no Node flags: drop what would slow its start.
set "NODE_EXTRA_CA_CERTS="
set "NODE_OPTIONS="
if exist "%~dp0inlet-native-host.mjs" goto packaged
goto source

:packaged
set "APP=%~dp0..\..\Inlet.exe"
if not exist "%APP%" goto incomplete
if not defined INLET_APP_PATH set "INLET_APP_PATH=%APP%"
set "ELECTRON_RUN_AS_NODE=1"
"%APP%" "%~dp0inlet-native-host.mjs" %*
exit /b %ERRORLEVEL%

:incomplete
echo inlet-native-host: the Inlet app around %~dp0 has no Inlet.exe. 1>&2
exit /b 1

:source
set "MAIN=%~dp0..\..\dist\native-host\main.js"
if exist "%MAIN%" goto run_node
echo inlet-native-host: %MAIN% is missing; run "npm run build" in the project folder. 1>&2
exit /b 1

:run_node
set "NODE=node"
if defined INLET_NODE set "NODE=%INLET_NODE%"
"%NODE%" "%MAIN%" %*
exit /b %ERRORLEVEL%
