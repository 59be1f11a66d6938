#!/usr/bin/env bash
# Every harness run of RESULTS.md, in one go. Build first:
#   cargo build --release -p proofless -p proofless-bench
set -euo pipefail
cd "$(dirname "$0")/.."
B=target/release/proofless-bench
SECS="${SECS:-10}"
# The default scenario list includes the workflows (verify-send, verify-cycle, verify-inbox,
# commitment-eligibility); verify-inbox first sends PREFILL verifications through the API.
PREFILL="${PREFILL:-2000}"
$B load --backend sqlite --concurrency 64 --secs "$SECS" --inbox-prefill "$PREFILL"
$B load --backend postgres --concurrency 64 --secs "$SECS" --inbox-prefill "$PREFILL"
$B load --backend postgres --instances 2 --concurrency 64 --secs "$SECS" --inbox-prefill "$PREFILL"
$B crash --backend sqlite --cycles 20 --writers 8
$B crash --backend postgres --cycles 20 --writers 8
