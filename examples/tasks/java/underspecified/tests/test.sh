#!/bin/bash
# Harbor verifier: run the tests against /app with Maven and write the reward.
mkdir -p /logs/verifier /app/src/test/java
cp /tests/*.java /app/src/test/java/
cd /app
if mvn -q -B -o test; then
  echo 1 > /logs/verifier/reward.txt
else
  echo 0 > /logs/verifier/reward.txt
fi
