#!/usr/bin/env bash
# Formatting and syntax check of the Move packages in move/ with prettier and Mysten's Move
# plugin (a tree-sitter parser): a parse error here is a Move syntax error.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -d move/node_modules ]; then
  npm ci --prefix move --no-audit --no-fund
fi
cd move
npx --no-install prettier --check 'wal/**/*.move' 'walrus/**/*.move' 'seal/**/*.move' 'policies/**/*.move'
