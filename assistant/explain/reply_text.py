"""The assistant's own words around the cards, in the learner's language."""

from __future__ import annotations

from assistant.profile.schema import LearnerProfile
from assistant.reply import PathStep

_FORMAT_ZH = {"book": "书", "course": "课程", "video": "视频", "podcast": "播客", "interactive": "交互式教程", "paper": "论文"}
_LEVEL_ZH = {"beginner": "入门", "intermediate": "中级", "advanced": "高级"}
# Why a filter was dropped, per language: said whenever too few resources matched with it.
RELAXED = {
    "language": ("Few resources exist in your language, so some in other languages are included.",
                 "你所用语言的资源太少，所以也包含了其他语言的资源。"),
    "formats": ("Few resources in the format you asked for matched, so other formats are included.",
                "符合你偏好形式的资源不多，所以也包含了其他形式。"),
    "free": ("Few free resources matched, so some paid ones are included.", "免费资源不足，也包含了部分付费资源。"),
    "level": ("Few resources at your level matched, so some at other levels are included.",
              "适合你水平的资源不多，所以也包含了其他水平的资源。"),
}


def compose(profile: LearnerProfile, count: int, language: str, relaxed: list[str],
            path: list[PathStep] | None = None) -> str:
    zh = language == "zh"
    topics = profile.current_topics(0.7)[:3]
    formats = profile.liked_formats
    if count == 0:
        return ("抱歉，目录里没有找到合适的资源。可以换个说法，或告诉我你想学的主题。" if zh else
                "I could not find a fitting resource in the catalog. Try rephrasing, or tell me the topic you want to learn.")
    if zh:
        about = f"关于{'、'.join(topics)}的" if topics else ""
        fmt = f"（{'、'.join(_FORMAT_ZH.get(f, f) for f in formats)}）" if formats else ""
        level = f"，适合{_LEVEL_ZH[profile.level]}水平" if profile.level in _LEVEL_ZH else ""
        text = f"为你找到 {count} 个{about}学习资源{fmt}{level}，按适合程度排序："
    else:
        about = f" for {', '.join(topics)}" if topics else ""
        fmt = f" ({', '.join(formats)})" if formats else ""
        level = f" at {profile.level} level" if profile.level != "unknown" else ""
        text = f"Here are {count} resources{about}{fmt}{level}, best fit first:"
    if path:
        steps = " → ".join(step.concept for step in path)
        text += f"\n{'建议的学习顺序' if zh else 'Suggested order'}: {steps}"
    notes = [RELAXED[name][1 if zh else 0] for name in relaxed if name in RELAXED]
    if notes:
        text += "\n" + " ".join(notes)
    return text
