from advice.units import METRIC
from advice.vocabulary import DISCLAIMER

from .assessing import GENERAL_TIPS
from .pagecache import sentinels
from .runner import runner_profile


def runner(request):
    """The signed-in runner's profile and display units, for every template.

    `general_tips` are the article's prevention tips, shown where a run's answers
    point to no cause (templates/advice/guidance.html): a constant, no query.
    """
    profile = runner_profile(request)
    context = {
        "profile": profile,
        "units": profile.units if profile is not None else METRIC,
        "medical_disclaimer": DISCLAIMER,
        "general_tips": GENERAL_TIPS,
    }
    if getattr(request, "rendering_for_cache", False):
        # Rendering a page for the cache (checkins.pagecache): the CSRF token and the CSP
        # nonce are sentinels here, filled in per response. This processor comes after
        # Django's csrf and csp ones (settings.TEMPLATES), so its values win.
        context["csrf_token"], context["csp_nonce"] = sentinels()
    return context
