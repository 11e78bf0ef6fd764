"""The assistant's own words around the cards, in the learner's language."""

from __future__ import annotations

from assistant.profile.schema import LearnerProfile

_FORMAT_ZH = {"book": "书", "course": "课程", "video": "视频", "podcast": "播客", "interactive": "交互式教程", "paper": "论文"}


def compose(profile: LearnerProfile, count: int, language: str, notes: list[str]) -> str:
    topics = [t for t, w in sorted(profile.topics.items(), key=lambda kv: -kv[1]) if w >= 0.7][:3]
    formats = profile.liked_formats
    if language == "zh":
        if count == 0:
            return "抱歉，目录里没有找到合适的资源。可以换个说法，或告诉我你想学的主题。"
        about = f"关于{'、'.join(topics)}的" if topics else ""
        fmt = f"（{'、'.join(_FORMAT_ZH.get(f, f) for f in formats)}）" if formats else ""
        text = f"为你找到 {count} 个{about}学习资源{fmt}，按适合程度排序："
    else:
        if count == 0:
            return "I could not find a fitting resource in the catalog. Try rephrasing, or tell me the topic you want to learn."
        about = f" for {', '.join(topics)}" if topics else ""
        fmt = f" ({', '.join(formats)})" if formats else ""
        level = f" at {profile.level} level" if profile.level != "unknown" else ""
        text = f"Here are {count} resources{about}{fmt}{level}, best fit first:"
    if notes:
        text += "\n" + " ".join(notes)
    return text
