"""The standard programme a clinic can start from: eight weekly sessions of 90 minutes for people living with
persistent physical symptoms. Each session has a psychoeducation topic, a skill practised together and home
practice (a library item where there is one). Facilitators change it to fit their group after it is made."""

from __future__ import annotations

from typing import Any, Final

STANDARD_DETAILS: Final[dict[str, Any]] = {
    "name": "Living well with persistent physical symptoms",
    "summary": (
        "Eight weekly group sessions of 90 minutes. Each week we learn something about how body, mind and "
        "daily life affect each other, practise a skill together and choose some practice for the week. You "
        "make your own action plan, and you may choose a partner from the group to check in with."
    ),
    "session_minutes": 90,
    "days_between": 7,
    "instruments": ["phq15", "wsas"],
    "sessions_to_complete": 6,
}

STANDARD_SESSIONS: Final[list[dict[str, str]]] = [
    {
        "title": "Welcome: our bodies' alarm system",
        "topic": "How stress and the body's alarm system can keep symptoms going, and why they are real.",
        "skill": "Diaphragmatic (belly) breathing",
        "home_practice": "Belly breathing, twice a day for five minutes",
        "home_practice_how": "Sit or lie comfortably, one hand on your belly. Breathe in slowly through your nose.",
        "library_item": "diaphragmatic-breathing",
    },
    {
        "title": "The circle of symptoms, worry and avoiding",
        "topic": "How symptoms, worry and avoiding things can feed each other, and where the circle can be broken.",
        "skill": "Drawing your own circle",
        "home_practice": "Notice one moment this week when the circle turned, and write it down",
        "home_practice_how": "Use your diary: what happened, what you felt in your body, what you did next.",
        "library_item": "the-vicious-circle",
    },
    {
        "title": "Activity and rest: pacing",
        "topic": "Boom and bust: why doing a lot on good days and little on bad days wears you out.",
        "skill": "Pacing: planning activity and rest in small blocks",
        "home_practice": "Plan each day in blocks of activity and rest",
        "home_practice_how": "Stop before you are exhausted; rest before you need to.",
        "library_item": "pacing",
    },
    {
        "title": "Doing more of what matters",
        "topic": "Mood, energy and the things we stopped doing. Small steps back towards what matters to you.",
        "skill": "Activity scheduling",
        "home_practice": "Plan three things you enjoy or that matter to you this week",
        "home_practice_how": "Keep them small and doable; put them in your week at a set time.",
        "library_item": "planning-pleasant-activities",
    },
    {
        "title": "Thoughts about symptoms",
        "topic": "How the thoughts we have about symptoms change how we feel and what we do.",
        "skill": "Cognitive reframing: noticing a thought and finding another way to see it",
        "home_practice": "Notice one thought a day and write down another way to see it",
        "home_practice_how": "Ask: what would I say to a friend who had this thought?",
        "library_item": "noticing-thoughts",
    },
    {
        "title": "Saying what you need",
        "topic": "Asking for help, saying no and explaining your symptoms to others.",
        "skill": "Assertive communication, practised in role play",
        "home_practice": "Try one conversation where you say what you need",
        "home_practice_how": "Use the steps we practised: what happened, how it affects you, what you would like.",
        "library_item": "",
    },
    {
        "title": "Sleep, relaxation and flare-ups",
        "topic": "Sleep, tension and what to do when symptoms flare.",
        "skill": "Progressive muscle relaxation and a flare-up plan",
        "home_practice": "Tense and relax once a day, and write your flare-up plan",
        "home_practice_how": "Follow the steps in the library; keep your plan where you can find it.",
        "library_item": "progressive-muscle-relaxation",
    },
    {
        "title": "Keeping it going",
        "topic": "What helped, what to keep doing, and what to do if things get harder again.",
        "skill": "Your plan for the months ahead",
        "home_practice": "Keep practising what helped you most",
        "home_practice_how": "Look back at your action plan and choose the steps you will keep.",
        "library_item": "coping-with-a-flare",
    },
]
