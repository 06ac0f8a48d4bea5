"""Shared test settings.

Hypothesis draws its examples from a fixed seed (derandomize), so a CI run tests the same
cases every time; set HYPOTHESIS_PROFILE=explore to search new ones locally.
"""

import os

from hypothesis import settings

settings.register_profile("glassnet", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, max_examples=200)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "glassnet"))
