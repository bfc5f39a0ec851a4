"""What Aftermath knows, declared once as data: references, causes, tips, red
flags, history triggers and cool-down stretches.

The rules (causes.py, red_flags.py, after_run.py, history.py) only pick from
here: each cause's signals with their weights and tips are data below, and the
rules decide which signals a check-in shows. Every runner-facing text lives in
this file, in the project's own words. Evidence grades follow
shared/evidence.md: 'high', 'moderate' or 'limited'. Tips graded 'limited'
say so in their text. Plain Python: no Django import.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

EVIDENCE_GRADES = ("high", "moderate", "limited")
WHEN = ("now", "before_next_run", "this_week")
WHEN_LABELS = MappingProxyType(
    {"now": "Now", "before_next_run": "Before your next run", "this_week": "This week"}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reference:
    code: str
    short: str  # shown beside the advice
    full: str  # the citation, for the sources page


@dataclass(frozen=True, slots=True, kw_only=True)
class Signal:
    """Something a check-in shows that supports a cause: found, it adds its weight to
    the cause's score (capped at 1, so a signal never lowers a score) and calls for its
    tips, each one of the cause's own."""

    code: str
    weight: float
    tips: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class CauseInfo:
    """A cause of post-run twitching: what it is, and the signals that point to it
    (causes.py finds them in a check-in), each with the tips it calls for."""

    code: str
    title: str
    text: str
    evidence: str
    reference: str
    signals: MappingProxyType[str, Signal]

    @property
    def tips(self) -> tuple[str, ...]:
        """Every tip its signals call for, in TIPS order."""
        called_for = {tip for signal in self.signals.values() for tip in signal.tips}
        return tuple(code for code in TIPS if code in called_for)


@dataclass(frozen=True, slots=True, kw_only=True)
class Tip:
    """One tip. The same object is the definition and what `assess` returns."""

    code: str
    cause: str | None
    title: str
    text: str
    when: str
    evidence: str
    reference: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RedFlagInfo:
    code: str
    title: str
    care: str  # what kind of care to seek, runner-facing
    urgent: bool
    reference: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Trigger:
    """Something about a run that the history page counts against twitching.

    The patterns (patterns.py) write "Twitching after 7 of 9 {with_words}, and after
    3 of 10 {without_words}." and name a trigger in a sentence by its `short` words.
    """

    code: str
    label: str
    with_words: str = ""
    without_words: str = ""
    short: str = ""


def _by_code(items):
    return MappingProxyType({item.code: item for item in items})


# --- References -----------------------------------------------------------------

REFERENCES = _by_code(
    (
        Reference(
            code="acsm2007",
            short="ACSM, Sawka et al. 2007",
            full="Sawka MN et al. American College of Sports Medicine position stand: exercise "
            "and fluid replacement. Med Sci Sports Exerc 2007;39(2):377-390.",
        ),
        Reference(
            code="hew_butler2015",
            short="Hew-Butler et al. 2015",
            full="Hew-Butler T et al. Statement of the Third International Exercise-Associated "
            "Hyponatremia Consensus Development Conference, Carlsbad, California, 2015. "
            "Clin J Sport Med 2015;25(4):303-320.",
        ),
        Reference(
            code="nata",
            short="NATA, Casa et al. 2000; McDermott et al. 2017",
            full="National Athletic Trainers' Association position statements on fluid "
            "replacement for athletes: Casa DJ et al. 2000 and McDermott BP et al. 2017, "
            "J Athl Train.",
        ),
        Reference(
            code="urine_chart",
            short="Armstrong et al. 1994; Cheuvront & Sawka 2005",
            full="Armstrong LE et al. Urinary indices of hydration status. Int J Sport Nutr "
            "1994;4(3):265-279. Cheuvront SN, Sawka MN. Hydration assessment of athletes "
            "(the WUT method). Sports Science Exchange 2005.",
        ),
        Reference(
            code="nws_heat_index",
            short="NWS heat index; Rothfusz 1990",
            full="US National Weather Service, Weather Prediction Center: The Heat Index "
            "Equation. Rothfusz LP. The heat index equation. NWS Southern Region Technical "
            "Attachment SR 90-23, 1990.",
        ),
        Reference(
            code="thomas2016",
            short="Thomas et al. 2016 (ACSM, AND, DC)",
            full="Thomas DT, Erdman KA, Burke LM. Nutrition and athletic performance: joint "
            "position statement of the Academy of Nutrition and Dietetics, Dietitians of "
            "Canada and the American College of Sports Medicine. Med Sci Sports Exerc "
            "2016;48(3):543-568.",
        ),
        Reference(
            code="jeukendrup2014",
            short="Jeukendrup 2014",
            full="Jeukendrup A. A step towards personalized sports nutrition: carbohydrate "
            "intake during exercise. Sports Med 2014;44(Suppl 1):S25-S33.",
        ),
        Reference(
            code="schwellnus",
            short="Schwellnus 2009; Schwellnus et al. 2011",
            full="Schwellnus MP. Cause of exercise associated muscle cramps: altered "
            "neuromuscular control, dehydration or electrolyte depletion? Br J Sports Med "
            "2009;43(6):401-408. Schwellnus MP et al. Prospective cohort of 210 Ironman "
            "triathletes: faster running and previous cramps, not dehydration or serum "
            "sodium, predicted cramping. Br J Sports Med 2011;45(8):650-656.",
        ),
        Reference(
            code="miller2022",
            short="Miller et al. 2022",
            full="Miller KC et al. An evidence-based review of the pathophysiology, treatment "
            "and prevention of exercise-associated muscle cramps. J Athl Train "
            "2022;57(1):5-15.",
        ),
        Reference(
            code="bergeron2008",
            short="Bergeron 2008",
            full="Bergeron MF. Muscle cramps during exercise: is it fatigue or electrolyte "
            "deficit? Curr Sports Med Rep 2008;7(4):S50-S55.",
        ),
        Reference(
            code="garrison2020",
            short="Garrison et al. 2020 (Cochrane)",
            full="Garrison SR et al. Magnesium for skeletal muscle cramps. Cochrane Database "
            "Syst Rev 2020;9:CD009402.",
        ),
        Reference(
            code="frandsen2025",
            short="Frandsen, Nielsen et al. 2025 (BJSM)",
            full="Frandsen JSB, Nielsen RO et al. Single-session running distance spikes and "
            "running injury in 5,205 runners with GPS watches. Br J Sports Med 2025.",
        ),
        Reference(
            code="nielsen2014",
            short="Nielsen et al. 2014 (JOSPT); Buist et al. 2008",
            full="Nielsen RO et al. Excessive progression in weekly running distance and risk "
            "of running-related injuries. J Orthop Sports Phys Ther 2014;44(10):739-747. "
            "Buist I et al. A graded training programme for novice runners (randomised "
            "trial of 10% against 24% progression). Am J Sports Med 2008;36(1):33-39.",
        ),
        Reference(
            code="foster",
            short="Foster 1998; Foster et al. 2001",
            full="Foster C. Monitoring training in athletes with reference to overtraining "
            "syndrome. Med Sci Sports Exerc 1998;30(7):1164-1168. Foster C et al. A new "
            "approach to monitoring exercise training. J Strength Cond Res "
            "2001;15(1):109-115. The acute:chronic workload ratio is contested "
            "(Impellizzeri et al. 2020) and is not used here.",
        ),
        Reference(
            code="vanhooren2018",
            short="Van Hooren & Peake 2018",
            full="Van Hooren B, Peake JM. Do we need a cool-down after exercise? A narrative "
            "review. Sports Med 2018;48(7):1575-1595.",
        ),
        Reference(
            code="wiewelhove2019",
            short="Wiewelhove et al. 2019",
            full="Wiewelhove T et al. A meta-analysis of the effects of foam rolling on "
            "performance and recovery. Front Physiol 2019;10:376.",
        ),
        Reference(
            code="merck",
            short="Merck Manual: muscle cramps",
            full="Merck Manual (MSD Manual) Professional Version: Muscle Cramps, table of "
            "causes, including drugs.",
        ),
        Reference(
            code="nhs_twitching",
            short="NHS: twitching eyes and muscles",
            full="NHS (UK). Twitching eyes and muscles. nhs.uk health A to Z.",
        ),
        Reference(
            code="blexrud1993",
            short="NHS; Blexrud et al. 1993",
            full="Blexrud MD et al. Long-term follow-up of 121 patients with benign "
            "fasciculations. Ann Neurol 1993;34(4):622-625. Weakness or wasting, not "
            "twitching alone, is the sign that needs a doctor.",
        ),
        Reference(
            code="roberts2021",
            short="Roberts et al. 2021 (ACSM)",
            full="Roberts WO et al. ACSM expert consensus statement on exertional heat "
            "illness: recognition, management, and return to activity. Curr Sports Med "
            "Rep 2021;20(9):470-484.",
        ),
        Reference(
            code="asplund2011",
            short="Asplund et al. 2011 (BJSM)",
            full="Asplund CA, O'Connor FG, Noakes TD. Exercise-associated collapse: an "
            "evidence-based review and primer for clinicians. Br J Sports Med "
            "2011;45(14):1157-1162. Confusion after exercise is also a sign of low sodium "
            "(Hew-Butler et al. 2015) and of low blood sugar (ADA).",
        ),
        Reference(
            code="rhabdo",
            short="NHS: rhabdomyolysis; clinical consensus",
            full="NHS (UK). Rhabdomyolysis: dark (cola or tea-coloured) urine after exercise needs an "
            "urgent GP appointment or NHS 111 the same day. The combinations with severe pain, "
            "swelling or weakness follow clinical consensus on exertional rhabdomyolysis.",
        ),
        Reference(
            code="anticoagulant",
            short="Anticoagulant safety warnings",
            full="Standard patient warnings for anticoagulant medicines about unexplained "
            "swelling, pain or bruising.",
        ),
        Reference(
            code="article",
            short="Running coach's article; no study found",
            full="The running coach's article on post-run muscle twitches that Aftermath "
            "builds on. No study checked supports or rejects this tip.",
        ),
    )
)


def _ref(*codes: str) -> str:
    return "; ".join(REFERENCES[code].short for code in codes)


# --- Causes, and the signals behind each -------------------------------------------
# Weights add up to a score between 0 and 1. A graded signal (a hotter run, a bigger
# loss) is one record per grade; its thresholds and their sources stand beside the
# rule that finds it, in causes.py.

_DRINK_ALL = ("rehydrate_after", "watch_dehydration_signs", "hydrate_before", "hydrate_during")
_DRINK_MORE = ("rehydrate_after", "hydrate_during")
_DRINK_LOSS = ("rehydrate_after", "hydrate_before", "hydrate_during")
_DRINK_URINE = ("rehydrate_after", "watch_dehydration_signs")
_DRINK_SIGNS = ("rehydrate_after", "watch_dehydration_signs", "hydrate_before")
_SALT = ("electrolyte_foods", "electrolyte_drink")
_REST = ("rest_days", "listen_to_body")
_REST_SWAP = ("rest_days", "cross_training", "listen_to_body")
_BUILD_UP = ("gradual_progression", "listen_to_body")
_BUILD_UP_SWAP = ("gradual_progression", "cross_training", "listen_to_body")
_COOLDOWN = ("cooldown_walk", "cooldown_stretch")
_REVIEW = ("review_medication",)

CAUSES = _by_code(
    (
        CauseInfo(
            code="dehydration",
            title="Dehydration",
            text="Sweating out more fluid than you take in, above all on hot, humid runs, may "
            "be linked to twitching and cramps. Thirst, tiredness, dark urine and "
            "dizziness are the usual signs. Studies of runners disagree on how strong "
            "the link is.",
            evidence="limited",
            reference=_ref("acsm2007", "schwellnus"),
            signals=_by_code(
                (
                    # By the NWS band of the run's heat index (or of the air, without humidity).
                    Signal(code="heat_caution", weight=0.15, tips=_DRINK_ALL),
                    Signal(code="heat_extreme_caution", weight=0.3, tips=_DRINK_ALL),
                    Signal(code="heat_danger", weight=0.4, tips=_DRINK_ALL),
                    Signal(code="heat_extreme_danger", weight=0.5, tips=_DRINK_ALL),
                    Signal(code="hot_run_over_an_hour", weight=0.1),
                    Signal(code="little_fluid", weight=0.15, tips=_DRINK_MORE),
                    Signal(code="mass_loss", weight=0.15, tips=_DRINK_LOSS),
                    Signal(code="mass_loss_over_2pct", weight=0.4, tips=_DRINK_LOSS),
                    # By the urine chart's reading (hydration.urine_status).
                    Signal(code="urine_borderline", weight=0.1, tips=_DRINK_URINE),
                    Signal(code="urine_dehydrated", weight=0.25, tips=_DRINK_URINE),
                    Signal(code="urine_very_dehydrated", weight=0.35, tips=_DRINK_URINE),
                    # Symptoms, by their codes.
                    Signal(code="thirst", weight=0.1, tips=_DRINK_SIGNS),
                    Signal(code="dark_urine", weight=0.2, tips=_DRINK_SIGNS),
                    Signal(code="dizziness", weight=0.1, tips=_DRINK_SIGNS),
                    Signal(code="not_rehydrated", weight=0.1, tips=("rehydrate_after",)),
                )
            ),
        ),
        CauseInfo(
            code="electrolytes",
            title="Mineral balance (electrolytes)",
            text="Sweat carries away salt and minerals such as potassium, calcium and "
            "magnesium. Being out of balance may be linked to twitching, but studies of "
            "runners who cramp have not found a clear mineral link.",
            evidence="limited",
            reference=_ref("bergeron2008", "schwellnus", "garrison2020"),
            signals=_by_code(
                (
                    # A hot run of an hour or more, longer or without electrolytes weighing more.
                    Signal(code="hot_long_run_without_electrolytes", weight=0.3, tips=_SALT),
                    Signal(code="hot_long_run", weight=0.2, tips=_SALT),
                    Signal(code="hot_run_without_electrolytes", weight=0.2, tips=_SALT),
                    Signal(code="hot_run", weight=0.1, tips=_SALT),
                    Signal(code="run_over_2_hours", weight=0.1, tips=_SALT),
                    Signal(code="heavy_sweating", weight=0.2, tips=_SALT),
                    Signal(code="cramps_in_several_muscles", weight=0.15, tips=("electrolyte_foods",)),
                )
            ),
        ),
        CauseInfo(
            code="fatigue",
            title="Tired muscles and overuse",
            text="Hard, long or frequent running tires muscles and the nerves that drive "
            "them while they repair. Muscle fatigue is the leading explanation for "
            "cramps during exercise, and twitching may be linked to it too.",
            evidence="moderate",
            reference=_ref("schwellnus", "miller2022"),
            signals=_by_code(
                (
                    Signal(code="hard_effort", weight=0.25, tips=_REST),
                    Signal(code="fairly_hard_effort", weight=0.1, tips=("listen_to_body",)),
                    Signal(code="long_run", weight=0.2, tips=_REST),
                    Signal(code="very_long_run", weight=0.3, tips=_REST),
                    Signal(code="hard_session", weight=0.15, tips=("listen_to_body",)),
                    Signal(code="no_rest_day", weight=0.25, tips=_REST_SWAP),
                    # Frandsen, Nielsen et al. 2025: the bigger the spike, the higher the risk.
                    Signal(code="distance_spike", weight=0.2, tips=_BUILD_UP),
                    Signal(code="distance_spike_over_100pct", weight=0.3, tips=_BUILD_UP),
                    Signal(code="weekly_jump", weight=0.1, tips=_BUILD_UP_SWAP),
                    Signal(code="weekly_jump_over_30pct", weight=0.2, tips=_BUILD_UP_SWAP),
                    # Session load (Foster 2001) is a secondary signal: small weights only.
                    Signal(code="session_load", weight=0.05, tips=("rest_days",)),
                    Signal(code="high_session_load", weight=0.1, tips=("rest_days",)),
                    Signal(code="fatigue", weight=0.1, tips=_REST),  # the symptom
                    Signal(code="cramps_after_hard_effort", weight=0.15, tips=("listen_to_body",)),
                )
            ),
        ),
        CauseInfo(
            code="circulation",
            title="Stopping without easing down",
            text="Stopping dead at the end of a run, instead of easing down, may be linked to "
            "twitching as the muscles settle.",
            evidence="limited",
            reference=_ref("vanhooren2018"),
            signals=_by_code(
                (
                    Signal(code="stopped_dead", weight=0.4, tips=_COOLDOWN),
                    Signal(code="stopped_dead_after_hard_effort", weight=0.55, tips=_COOLDOWN),
                )
            ),
        ),
        CauseInfo(
            code="blood_sugar",
            title="Running low on fuel",
            text="Running on an empty tank may be linked to twitching, shakiness and feeling "
            "light-headed. Only a blood test shows whether blood sugar was low; this "
            "looks at what you ate.",
            evidence="limited",
            reference=_ref("thomas2016"),
            signals=_by_code(
                (
                    Signal(code="low_carbs", weight=0.3, tips=("carbs_before",)),
                    Signal(code="long_since_meal", weight=0.2, tips=("carbs_before",)),
                    Signal(code="carbs_long_before", weight=0.1, tips=("carbs_before",)),
                    # Symptoms, by their codes.
                    Signal(code="shaky", weight=0.15, tips=("carbs_before",)),
                    Signal(code="lightheaded", weight=0.15, tips=("carbs_before",)),
                    Signal(code="hungry", weight=0.15, tips=("carbs_before",)),
                    # No weight of its own: found with the others on a long or hard run, it adds
                    # fuel on the way to carbohydrate before.
                    Signal(code="fuel_on_the_way", weight=0.0, tips=("sports_drink_midrun",)),
                )
            ),
        ),
        CauseInfo(
            code="fueling",
            title="The meal before the run",
            text="A poorly timed or unsuitable meal before a run may be linked to twitching "
            "or an unsettled stomach.",
            evidence="limited",
            reference=_ref("thomas2016", "article"),
            signals=_by_code(
                (
                    Signal(code="spicy_meal", weight=0.25, tips=("skip_spicy",)),
                    Signal(code="meal_too_close", weight=0.15, tips=("balanced_meal",)),
                    Signal(code="meal_long_ago", weight=0.15, tips=("balanced_meal",)),
                )
            ),
        ),
        CauseInfo(
            code="medication",
            title="Medicines",
            text="Some medicines are linked to cramps and twitching: diuretics, statins, "
            "asthma inhalers, some blood-pressure medicines and stimulants. The article "
            "Aftermath builds on also names blood thinners, which standard lists do not.",
            evidence="moderate",
            reference=_ref("merck"),
            signals=_by_code(
                (
                    # Merck Manual's cramp-causes table lists these; blood thinners are not on it
                    # (evidence.md row 20), so they weigh less. Codes: "on_" and the medicine's code.
                    Signal(code="on_diuretics", weight=0.3, tips=_REVIEW),
                    Signal(code="on_statins", weight=0.3, tips=_REVIEW),
                    Signal(code="on_asthma_inhaler", weight=0.25, tips=_REVIEW),
                    Signal(code="on_blood_pressure", weight=0.25, tips=_REVIEW),
                    Signal(code="on_stimulants", weight=0.25, tips=_REVIEW),
                    Signal(code="on_blood_thinners", weight=0.1, tips=_REVIEW),
                    Signal(code="medication_changed", weight=0.3, tips=_REVIEW),
                )
            ),
        ),
    )
)

# Tips for cramps or spasms, whatever the cause.
RELIEF_TIPS = ("stretch_cramp", "foam_roll", "trigger_release", "cupping")

# --- Tips -------------------------------------------------------------------------

# Said by the cool-down tips and on the cool-down page (Van Hooren & Peake 2018).
COOLDOWN_EVIDENCE = (
    "Evidence is limited: a cool-down does little for soreness, but it is a gentle way to "
    "finish and does no harm."
)
STRETCH_EVIDENCE = "Evidence is limited that stretching prevents twitches; do it if it feels good."

TIPS = _by_code(
    (
        Tip(
            code="see_doctor",
            cause=None,
            title="Talk to a doctor",
            text="Something you told us is worth showing a doctor. The warning above says "
            "how soon. Take this check-in with you.",
            when="now",
            evidence="high",
            reference=_ref("nhs_twitching", "roberts2021"),
        ),
        Tip(
            code="rehydrate_after",
            cause="dehydration",
            title="Rehydrate over the next hours",
            text="Sip water over the next few hours, with some salt from a meal, a salty "
            "snack or an electrolyte drink. Keep going a little past the point where "
            "thirst fades, and stop once your urine is pale again.",
            when="now",
            evidence="high",
            reference=_ref("acsm2007"),
        ),
        Tip(
            code="watch_dehydration_signs",
            cause="dehydration",
            title="Watch for signs of running dry",
            text="Check for thirst, unusual tiredness, dizziness and dark urine. Pale straw "
            "(1 to 3 on the urine chart) is the goal; 5 or darker means you need more "
            "fluid. Cola-brown urine is different: get medical help.",
            when="now",
            evidence="moderate",
            reference=_ref("urine_chart"),
        ),
        Tip(
            code="hydrate_before",
            cause="dehydration",
            title="Start the next run well hydrated",
            text="Drink steadily through the day before you run, and have a glass or two of "
            "water about 4 hours before the start. If your urine is still dark 2 hours "
            "before, have a little more.",
            when="before_next_run",
            evidence="high",
            reference=_ref("acsm2007"),
        ),
        Tip(
            code="hydrate_during",
            cause="dehydration",
            title="Drink on long or hot runs",
            text="On runs over an hour, or in the heat, carry water or plan a route past a "
            "fountain. Drink to thirst: aim to lose no more than 2% of your body weight, "
            "and never to weigh more after the run than before.",
            when="before_next_run",
            evidence="high",
            reference=_ref("acsm2007", "hew_butler2015"),
        ),
        Tip(
            code="electrolyte_foods",
            cause="electrolytes",
            title="Eat mineral-rich foods",
            text="Bananas and avocados bring potassium, dairy and leafy greens bring calcium, "
            "nuts and seeds bring magnesium. Evidence is limited: studies have not shown "
            "that minerals prevent twitches or cramps, but these foods do you good "
            "anyway. Choose food over supplements.",
            when="this_week",
            evidence="limited",
            reference=_ref("garrison2020", "schwellnus"),
        ),
        Tip(
            code="electrolyte_drink",
            cause="electrolytes",
            title="Try an electrolyte drink on long, hot runs",
            text="On long or hot runs, try an electrolyte drink or a salty snack along the "
            "way. Evidence is limited: salt loss is only one suspect, and studies "
            "disagree.",
            when="before_next_run",
            evidence="limited",
            reference=_ref("bergeron2008", "schwellnus"),
        ),
        Tip(
            code="rest_days",
            cause="fatigue",
            title="Take a rest day",
            text="Plan at least one full rest day this week, and follow hard or long runs "
            "with an easy day. Muscles and nerves recover between sessions, not during "
            "them.",
            when="this_week",
            evidence="moderate",
            reference=_ref("foster", "schwellnus"),
        ),
        Tip(
            code="cross_training",
            cause="fatigue",
            title="Swap a run for something gentler",
            text="Replace one run with cycling, swimming or another low-impact session to "
            "stay fit while your legs recover. Evidence that this prevents twitching is "
            "limited, but it eases the load on your legs.",
            when="this_week",
            evidence="limited",
            reference=_ref("foster"),
        ),
        Tip(
            code="gradual_progression",
            cause="fatigue",
            title="Build up gradually",
            text="Keep each run no more than about 10% longer than your longest in the last "
            "month, and avoid big jumps in distance from one week to the next.",
            when="this_week",
            evidence="moderate",
            reference=_ref("frandsen2025", "nielsen2014"),
        ),
        Tip(
            code="listen_to_body",
            cause="fatigue",
            title="Let your legs set the pace",
            text="If your legs feel heavy, twitchy or sore, make the next run short and easy, "
            "or rest. Evidence for this as twitch prevention is limited, but running "
            "hard on tired legs raises your injury risk.",
            when="before_next_run",
            evidence="limited",
            reference=_ref("schwellnus"),
        ),
        Tip(
            code="cooldown_walk",
            cause="circulation",
            title="Ease down at the end",
            text="Don't stop dead: finish with 5 to 10 minutes of easy jogging or walking. "
            + COOLDOWN_EVIDENCE,
            when="before_next_run",
            evidence="limited",
            reference=_ref("vanhooren2018"),
        ),
        Tip(
            code="cooldown_stretch",
            cause="circulation",
            title="Stretch the muscles that twitched",
            text="Gently stretch the muscles that twitched, holding each stretch without bouncing. "
            + STRETCH_EVIDENCE,
            when="now",
            evidence="limited",
            reference=_ref("vanhooren2018", "miller2022"),
        ),
        Tip(
            code="carbs_before",
            cause="blood_sugar",
            title="Eat some carbohydrate before you run",
            text="Eat 30 to 60 g of carbohydrate about an hour before you run, for example a "
            "banana and a slice of toast. Before runs over an hour, a bigger "
            "carbohydrate meal 1 to 4 hours before helps. This clearly helps you run "
            "well; evidence that it prevents twitching is limited.",
            when="before_next_run",
            evidence="moderate",
            reference=_ref("thomas2016"),
        ),
        Tip(
            code="sports_drink_midrun",
            cause="blood_sugar",
            title="Take fuel on long or hard runs",
            text="On runs longer than about 75 minutes, or hard sessions, take a sports drink "
            "or gels: about 30 to 60 g of carbohydrate per hour once you are past the "
            "first hour.",
            when="before_next_run",
            evidence="moderate",
            reference=_ref("thomas2016", "jeukendrup2014"),
        ),
        Tip(
            code="balanced_meal",
            cause="fueling",
            title="Time a proper meal before you run",
            text="Have a proper meal 3 to 4 hours before you run: carbohydrate, some lean "
            "protein and a little fat. Keep fibre and fat low in the last hours before "
            "the start.",
            when="before_next_run",
            evidence="moderate",
            reference=_ref("thomas2016"),
        ),
        Tip(
            code="skip_spicy",
            cause="fueling",
            title="Try skipping spicy food before runs",
            text="Leave out spicy food before your next few runs and see if it makes a "
            "difference. Evidence is limited: no study we checked links spicy food to "
            "twitching, so treat this as an experiment.",
            when="before_next_run",
            evidence="limited",
            reference=_ref("article"),
        ),
        Tip(
            code="review_medication",
            cause="medication",
            title="Ask about your medicines",
            text="Some medicines are linked to cramps and twitching. Keep taking yours as "
            "prescribed, and ask your doctor or pharmacist whether one of them could "
            "play a part.",
            when="this_week",
            evidence="moderate",
            reference=_ref("merck", "nhs_twitching"),
        ),
        Tip(
            code="stretch_cramp",
            cause=None,
            title="Ease a cramp with a gentle stretch",
            text="When a cramp grips, stop and ease the muscle into a gentle, steady stretch until it "
            "lets go.",
            when="now",
            evidence="moderate",
            reference=_ref("miller2022"),
        ),
        Tip(
            code="foam_roll",
            cause=None,
            title="Foam roll",
            text="Roll the tight muscle slowly over a foam roller for a minute or two. After "
            "runs it eases muscle soreness a little.",
            when="now",
            evidence="moderate",
            reference=_ref("wiewelhove2019"),
        ),
        Tip(
            code="trigger_release",
            cause=None,
            title="Press on tender knots",
            text="Press gently on a tender knot in the muscle for 30 to 90 seconds until it "
            "eases. Evidence is limited: we found no good study for it. Stop if it "
            "hurts.",
            when="now",
            evidence="limited",
            reference=_ref("article"),
        ),
        Tip(
            code="cupping",
            cause=None,
            title="Cupping, if you like it",
            text="Some runners like cupping from a trained therapist. Evidence is limited: we "
            "found no good study showing it helps cramps or twitches.",
            when="this_week",
            evidence="limited",
            reference=_ref("article"),
        ),
        Tip(
            code="avoid_overdrinking",
            cause=None,
            title="Drink only to thirst for now",
            text="Your weight went up during the run, so you drank more than you sweated. "
            "Drink only to thirst for now, and drink a little less on your next run. "
            "Headache, nausea or confusion after drinking a lot need emergency care.",
            when="now",
            evidence="high",
            reference=_ref("hew_butler2015"),
        ),
    )
)

# --- Red flags ----------------------------------------------------------------------

RED_FLAGS = _by_code(
    (
        RedFlagInfo(
            code="severe_cramps",
            title="Cramps with warning signs",
            care="Stop running and get emergency care now. Call your local emergency number "
            "if it is severe or getting worse.",
            urgent=True,
            reference=_ref("miller2022"),
        ),
        RedFlagInfo(
            code="heat_illness",
            title="Warning signs after running in the heat",
            care="Call the emergency services now. While you wait, cool the runner down "
            "first: shade, fewer clothes, cold water or ice on the body.",
            urgent=True,
            reference=_ref("roberts2021"),
        ),
        RedFlagInfo(
            code="collapse",
            title="Collapse, fainting or confusion after a run",
            care="If you are still confused, faint or unwell, or you collapsed while still "
            "running, call your local emergency number now. If it passed within a minute or "
            "two, lie down with your legs raised, have someone stay with you, and see a doctor "
            "today even if you feel better.",
            urgent=True,
            reference=_ref("asplund2011", "roberts2021"),
        ),
        RedFlagInfo(
            code="overhydration",
            title="Warning signs after drinking a lot",
            care="Get emergency care now, and drink no more water or sports drink until a doctor has "
            "checked you.",
            urgent=True,
            reference=_ref("hew_butler2015"),
        ),
        RedFlagInfo(
            code="muscle_breakdown",
            title="Warning signs of muscle breakdown",
            care="Get urgent medical care today, at an urgent care centre or an emergency department. "
            "Drinking more is not enough on its own: this needs a doctor and a blood test.",
            urgent=True,
            reference=_ref("rhabdo"),
        ),
        RedFlagInfo(
            code="bleeding",
            title="Swelling or bruising while on a blood thinner",
            care="Get urgent medical care now, and say that you take a blood thinner.",
            urgent=True,
            reference=_ref("anticoagulant"),
        ),
        RedFlagInfo(
            code="persistent",
            title="Twitching that keeps coming back",
            care="Book an appointment with your doctor (GP) to have it checked.",
            urgent=False,
            reference=_ref("nhs_twitching"),
        ),
        RedFlagInfo(
            code="widespread",
            title="Twitching in several places",
            care="Book an appointment with your doctor (GP) to have it checked.",
            urgent=False,
            reference=_ref("nhs_twitching"),
        ),
        RedFlagInfo(
            code="weakness",
            title="Twitching with weakness",
            care="See your doctor soon. Get urgent help at once if speaking, swallowing or "
            "breathing becomes hard.",
            urgent=False,
            reference=_ref("blexrud1993"),
        ),
        RedFlagInfo(
            code="sleep",
            title="Twitching that disturbs your sleep",
            care="Book an appointment with your doctor (GP) if it keeps happening.",
            urgent=False,
            reference=_ref("nhs_twitching"),
        ),
    )
)

# --- History triggers ---------------------------------------------------------------

TRIGGERS = _by_code(
    (
        Trigger(
            code="no_cooldown",
            label="Stopped without easing down",
            with_words="runs without a cool-down",
            without_words="with one",
            short="stopping without a cool-down",
        ),
        Trigger(
            code="hot_humid",
            label="Warm or humid weather (feels like 27 °C / 80 °F or more)",
            with_words="runs in warm or humid weather",
            without_words="in cooler or drier weather",
            short="warm or humid weather",
        ),
        Trigger(
            code="little_fluid",
            label="Little to drink on a run of an hour or more",
            with_words="runs of an hour or more with little to drink",
            without_words="with more to drink",
            short="little to drink on long runs",
        ),
        Trigger(
            code="no_carbs",
            label="Under 30 g of carbohydrate before the run",
            with_words="runs with under 30 g of carbohydrate before",
            without_words="with 30 g or more",
            short="little carbohydrate before",
        ),
        Trigger(
            code="spicy_meal",
            label="Spicy food before the run",
            with_words="runs after spicy food",
            without_words="without it",
            short="spicy food before",
        ),
        Trigger(
            code="no_rest_day",
            label="Six or more days in a row without a rest day",
            with_words="runs on a sixth day or more in a row without rest",
            without_words="with a rest day in the days before",
            short="six or more running days in a row",
        ),
        Trigger(
            code="long_run_spike",
            label="Over 10% longer than your longest run in the 30 days before",
            with_words="runs over 10% longer than your longest of the 30 days before",
            without_words="not that much longer",
            short="a run over 10% longer than the month's longest",
        ),
        # Added with the honest patterns: a cumulative trigger (Nielsen et al. 2014, >30%).
        Trigger(
            code="weekly_jump",
            label="A week's distance over 30% above the week before's",
            with_words="runs that took the week's distance over 30% above the week before's",
            without_words="without such a jump",
            short="a weekly distance jump of over 30%",
        ),
    )
)

# --- Cool-down stretches, one per muscle group ----------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Stretch:
    """One muscle group's cool-down stretch: the text the runner reads, and the
    figures behind its timer (the text quotes them; a test keeps the two in step)."""

    code: str  # a muscle code
    text: str  # how to do it, with the hold time
    hold_s: int  # one hold, in seconds
    sets: int  # holds per side
    sides: str = ""  # 'each leg', 'each side' ...: done once per side; '' when done once
    extra_s: int = 0  # time for a lead-in movement before the holds (fist clenches, rolls)

    @property
    def seconds(self) -> int:
        """The whole stretch, every set on every side: what the page's timer counts down."""
        return self.hold_s * self.sets * (2 if self.sides else 1) + self.extra_s


STRETCH_INFO = _by_code(
    (
        Stretch(
            code="calves", text="wall calf stretch, 2×30 s each leg", hold_s=30, sets=2, sides="each leg"
        ),
        Stretch(code="shins", text="kneel and sit back on your heels, 2×30 s", hold_s=30, sets=2),
        Stretch(
            code="feet",
            text="roll each foot slowly over a ball, 1 min each",
            hold_s=60,
            sets=1,
            sides="each foot",
        ),
        Stretch(
            code="quads",
            text="standing quad stretch, heel towards your bottom, 2×30 s each leg",
            hold_s=30,
            sets=2,
            sides="each leg",
        ),
        Stretch(
            code="hamstrings",
            text="heel on a low step, lean forward with a straight back, 2×30 s each leg",
            hold_s=30,
            sets=2,
            sides="each leg",
        ),
        Stretch(
            code="glutes",
            text="lying figure-four stretch, 2×30 s each side",
            hold_s=30,
            sets=2,
            sides="each side",
        ),
        Stretch(
            code="hips",
            text="kneeling hip-flexor lunge, 2×30 s each side",
            hold_s=30,
            sets=2,
            sides="each side",
        ),
        Stretch(
            code="lower_back",
            text="lying on your back, hug your knees to your chest, 2×30 s",
            hold_s=30,
            sets=2,
        ),
        Stretch(code="abs", text="lie face down and rise onto your forearms, 2×20 s", hold_s=20, sets=2),
        Stretch(
            code="arms",
            text="arm across your chest, then behind your head, 20 s each arm",
            hold_s=20,
            sets=1,
            sides="each arm",
        ),
        Stretch(
            code="hands",
            text="open and close your fists slowly 10 times, then a gentle wrist stretch, 20 s",
            hold_s=20,
            sets=1,
            extra_s=20,
        ),
        Stretch(
            code="shoulders",
            text="10 slow shoulder rolls, then an arm across your chest, 20 s each side",
            hold_s=20,
            sets=1,
            sides="each side",
            extra_s=20,
        ),
        Stretch(
            code="neck",
            text="tilt your ear slowly towards your shoulder, 2×20 s each side",
            hold_s=20,
            sets=2,
            sides="each side",
        ),
        Stretch(
            code="face",
            text="close your eyes and breathe slowly for a minute (no stretch needed)",
            hold_s=60,
            sets=1,
        ),
    )
)
# code -> text: what the engine's plan.cooldown_steps quote.
STRETCHES = MappingProxyType({code: stretch.text for code, stretch in STRETCH_INFO.items()})
COOLDOWN_EASE_TITLE = "Easy jog or walk"
COOLDOWN_EASE_STEP = "Jog or walk easily for 5–10 min before you stop."
COOLDOWN_EASE_S = 300  # the timer runs the shorter end of 5-10 min
COOLDOWN_GENERAL_STEP = "Gentle stretches for calves, thighs and hips, 2×30 s each."
# Without enough check-ins to go on, the routine covers the muscles that twitch
# most often in runners.
COOLDOWN_FALLBACK = ("calves", "hamstrings", "quads")
COOLDOWN_CAVEAT = f"{COOLDOWN_EVIDENCE} {STRETCH_EVIDENCE}"
COOLDOWN_REFERENCE = _ref("vanhooren2018", "miller2022")

# --- Hydration and fuel pages ----------------------------------------------------------

DEHYDRATION_SIGNS = (
    "Thirst",
    "Dark urine: 5 or darker on the 8-point urine chart",
    "Dizziness or light-headedness",
    "Unusual tiredness",
    "Headache",
)
OVERDRINKING_SIGNS = (
    "Weighing more after the run than before it",
    "Headache",
    "Nausea or vomiting",
    "Confusion or odd behaviour",
    "Swollen hands or fingers (rings feel tight)",
)
MEASURE_SWEAT_TEXT = (
    "To measure your sweat rate, weigh yourself without clothes just before a run and "
    "again straight after it, towelled dry, and note what you drank on the way."
)
HYDRATION_THIN_TEXT = (
    "Log your weight before and after a run, with what you drank and how long you ran, "
    "and this plan will use your own sweat rate."
)
HYDRATION_REFERENCE = _ref("acsm2007", "hew_butler2015")
FUEL_REFERENCE = _ref("thomas2016", "jeukendrup2014", "article")
_OVERHYDRATION_CARE = RED_FLAGS["overhydration"].care
OVERDRINKING_CARE = (
    "Weighing more after a run than before means you drank more than you sweated: drink "
    "only to thirst. If a headache, nausea, confusion or swelling comes with it: "
    f"{_OVERHYDRATION_CARE[0].lower()}{_OVERHYDRATION_CARE[1:]}"
)

# Fixed sentences that both `assess` and the tips pages say (figures: sentences.py).
DRINK_TO_THIRST_TEXT = "On runs over an hour or in the heat, drink to thirst from water you carry."
MIDRUN_CARBS_TEXT = "On the run, take 30–60 g of carbohydrate an hour from a sports drink or gels."
MEAL_TIMING_TEXT = "Have your last proper meal 3–4 hours before the start."
# Carbohydrate on the run, by the run's length (Jeukendrup 2014; Thomas et al. 2016).
NO_FUEL_TEXT = "Runs under 45 min need no fuel on the way: water to thirst is enough."
MOUTH_RINSE_TEXT = (
    "On runs of 45–75 min, a few sips of sports drink are plenty, or simply rinse your mouth "
    "with one and spit it out."
)
HIGH_CARBS_TEXT = (
    "On runs over 2.5 hours, take up to 90 g of carbohydrate an hour from drinks or gels that "
    "mix glucose and fructose, and practise it on training runs first."
)
FUEL_LADDER_TEXT = (
    "What to take on the run depends on its length: nothing under 45 min; a few sips of sports "
    "drink, or a mouth rinse, up to 75 min; 30–60 g of carbohydrate an hour up to 2.5 hours; "
    "beyond that, up to 90 g an hour from a glucose and fructose mix."
)
