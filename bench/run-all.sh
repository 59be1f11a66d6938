#!/usr/bin/env bash
# Every harness run of RESULTS.md, in one go. Build first:
#   cargo build --release -p proofless -p proofless-bench
set -euo pipefail
cd "$(dirname "$0")/.."
B=target/release/proofless-bench
SECS="${SECS:-10}"
$B load --backend sqlite --concurrency 64 --secs "$SECS"
$B load --backend postgres --concurrency 64 --secs "$SECS"
$B load --backend postgres --instances 2 --concurrency 64 --secs "$SECS"
$B crash --backend sqlite --cycles 20 --writers 8
$B crash --backend postgres --cycles 20 --writers 8
