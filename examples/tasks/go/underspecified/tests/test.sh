#!/bin/bash
# Harbor verifier: run the tests against /app and write the reward.
mkdir -p /logs/verifier
cp /tests/*_test.go /app/
cd /app
if go test ./...; then
  echo 1 > /logs/verifier/reward.txt
else
  echo 0 > /logs/verifier/reward.txt
fi
