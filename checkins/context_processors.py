from advice.units import METRIC
from advice.vocabulary import DISCLAIMER

from .flags import GENERAL_TIPS
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
    if getattr(request, "_page_sentinels", False):
        # Rendering a page for the cache (checkins.pagecache): the token is filled in per response.
        context["csrf_token"] = sentinels()[0]
    return context
