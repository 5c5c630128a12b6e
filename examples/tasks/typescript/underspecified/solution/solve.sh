#!/bin/bash
# Harbor oracle: install the reference solution into the workspace.
set -euo pipefail
cp -r "$(dirname "$0")/app/." /app/
