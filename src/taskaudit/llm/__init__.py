"""The optional LLM reviewer: an opinion on a task's spec and validity, from any
OpenAI-compatible chat endpoint (hosted, vLLM, Ollama, llama.cpp server).

Off by default. Configured by ``TASKAUDIT_LLM_URL`` and ``TASKAUDIT_LLM_MODEL`` (and
``TASKAUDIT_LLM_API_KEY`` when the endpoint wants one). Only the standard library talks to the
endpoint (``urllib``), and only when a review actually runs: importing this package imports
nothing networked.
"""
