"""The app's own settings plus a baseline view for the load benchmark.

Everything comes from config.settings (so the deployment is the real one); only
the URLconf gains `bench/hello`, and STATIC_ROOT may point at a throwaway folder
(AFTERMATH_STATIC_ROOT) so that collectstatic never writes into the checkout.
"""

import os
from pathlib import Path

from config.settings import *  # noqa: F403

ROOT_URLCONF = "loadtest.urls_bench"
if os.environ.get("AFTERMATH_STATIC_ROOT"):
    STATIC_ROOT = Path(os.environ["AFTERMATH_STATIC_ROOT"])
