"""The page's words in English and Chinese: fixed labels follow the browser's language, the rest the learner's."""

from __future__ import annotations

import gradio as gr

# Labels of the page itself, translated in the browser by its language setting.
_LABELS = dict(
    en={
        "heading": "## Learning assistant\n"
                   "Tell me what you want to learn, how you like to learn, and how much time you have.",
        "conversation": "Conversation", "message": "Your message", "examples": "Try one of these",
        "placeholder": "e.g. I want to learn SQL, 20 minutes a day, on my phone",
        "about_you": "### What I know about you", "edit": "Change what I know", "topics": "Topics (comma-separated)",
        "level": "Level", "formats": "Formats you like", "avoid": "Formats to avoid", "minutes": "Minutes per session",
        "device": "Device", "language": "Language", "free_only": "Free resources only", "save": "Save changes",
        "reset": "Reset profile", "export": "Export my data", "forget": "Forget me",
        "confirm_forget": "Yes, delete everything about me", "cancel": "Cancel", "not_set": "not set",
        "book": "book", "course": "course", "video": "video", "podcast": "podcast", "interactive": "interactive",
        "paper": "paper", "beginner": "beginner", "intermediate": "intermediate", "advanced": "advanced",
        "phone": "phone", "tablet": "tablet", "desktop": "desktop",
    },
    zh={
        "heading": "## 学习助手\n告诉我你想学什么、喜欢怎样学、每次有多少时间。",
        "conversation": "对话", "message": "你的消息", "examples": "试试这些", "placeholder": "例如：我想学 SQL，每天 20 分钟，用手机",
        "about_you": "### 我对你的了解", "edit": "修改我对你的了解", "topics": "主题（用逗号分隔）", "level": "水平",
        "formats": "喜欢的形式", "avoid": "不想要的形式", "minutes": "每次学习的分钟数", "device": "设备", "language": "语言",
        "free_only": "只要免费资源", "save": "保存修改", "reset": "重置资料", "export": "导出我的数据", "forget": "删除我的数据",
        "confirm_forget": "确定，删除关于我的一切", "cancel": "取消", "not_set": "未设置",
        "book": "书", "course": "课程", "video": "视频", "podcast": "播客", "interactive": "交互式教程", "paper": "论文",
        "beginner": "入门", "intermediate": "中级", "advanced": "高级", "phone": "手机", "tablet": "平板", "desktop": "电脑",
    },
)
# Prefixed keys: gradio's own translations use plain words such as "video" for whole groups of strings.
I18N = gr.I18n(**{lang: {f"la_{key}": text for key, text in labels.items()} for lang, labels in _LABELS.items()})


def t(key: str) -> gr.i18n.I18nData:
    """A page label by key, translated in the browser."""
    return I18N(f"la_{key}")

# Text the server writes into the page, in the learner's language (index 0 English, 1 Chinese).
_WORDS: dict[str, tuple[str, str]] = {
    "helpful": ("Helpful", "有用"), "not_for_me": ("Not for me", "不适合我"), "already_know": ("Already know", "已经会了"),
    "completed": ("Done", "学完了"), "free": ("free", "免费"), "paid": ("paid", "付费"), "minutes": ("min", "分钟"),
    "pending": ("writing the reason…", "正在写推荐理由…"), "path": ("Learning path", "学习路径"),
    "feedback_on": ("Feedback on", "反馈："), "recommendations": ("Recommendations", "推荐资源"),
    "empty": ("Nothing yet: tell me what you want to learn.", "还没有：告诉我你想学什么吧。"),
    "wants": ("You want to learn", "你想学"), "knows": ("You already know", "你已经会"),
    "gaps": ("Not clear to you yet", "你还没弄懂"), "goals": ("Your goals", "你的目标"), "level": ("Your level", "你的水平"),
    "likes": ("Formats you like", "你喜欢的形式"), "avoids": ("Formats you avoid", "你不想要的形式"),
    "budget": ("Minutes per session", "每次学习时间（分钟）"), "device": ("Device", "设备"), "language": ("Language", "语言"),
    "free_only": ("Free resources only", "只要免费资源"), "liked": ("You liked or opened", "你喜欢或打开过"),
    "disliked": ("Not for you", "不适合你"), "done": ("Done or already known", "学完或已经会了"),
    "noted": ("Noted", "已记下"), "colon": (": ", "："), "saved": ("Saved.", "已保存。"),
    "reset_done": ("Your profile starts afresh.", "资料已重置。"),
    "nothing_stored": ("Nothing is stored about you yet.", "还没有保存任何关于你的数据。"),
    "forgotten": ("Deleted everything stored about you. You are a new learner now.",
                  "已删除关于你的全部数据。现在你是一位新的学习者。"),
    "download": ("Download my data (JSON)", "下载我的数据（JSON）"),
}


def pick(pair: tuple[str, str], language: str | None) -> str:
    """The Chinese of an (English, Chinese) pair for a Chinese-speaking learner, else the English."""
    return pair[1 if language == "zh" else 0]


def word(key: str, language: str | None) -> str:
    return pick(_WORDS[key], language)
