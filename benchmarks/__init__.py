"""glassnet against PyTorch on the CPU: same process, same data, alternating, ratios.

Run ``make bench`` (``benchmarks/run.py``); results go to stdout and, with
``--write-readme``, into the table of ``benchmarks/README.md``.
"""
