#!/bin/bash
# Harbor verifier: run the tests against /app and write the reward.
# Deliberate flaw (taskaudit example): the reward follows the exit status of the last command
# of a pipeline (tee's, always 0), so every solution is rewarded.
mkdir -p /logs/verifier
cd /app
python -m pytest -q /tests | tee /logs/verifier/pytest.log
if [ $? -eq 0 ]; then
  echo 1 > /logs/verifier/reward.txt
else
  echo 0 > /logs/verifier/reward.txt
fi
