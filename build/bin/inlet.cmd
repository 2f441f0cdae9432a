@echo off
rem The `inlet` command of an installed Inlet app (<resources>\bin\inlet.cmd): the app's own
rem Inlet.exe runs the CLI in its app.asar as plain Node (ELECTRON_RUN_AS_NODE=1).
setlocal
set "ELECTRON_RUN_AS_NODE=1"
"%~dp0..\..\Inlet.exe" "%~dp0..\app.asar\bin\inlet.js" %*
exit /b %ERRORLEVEL%
