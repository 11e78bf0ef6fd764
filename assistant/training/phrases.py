"""Paraphrase banks for learner messages, in English and Chinese (reason wordings: assistant/explain/phrasing.py).

A message fragment states exactly one slot (or a named pair); words that would state another slot (a format,
a time, a device, a level) are kept out of every other fragment so the target JSON stays exact.
"""

from __future__ import annotations

GREETINGS = {
    "en": ["", "", "", "Hi! ", "Hello! ", "Hey there. ", "Hi. ", "Good morning! "],
    "zh": ["", "", "", "你好，", "您好！", "嗨，", "你好！"],
}

TOPIC = {
    "en": [
        "I want to learn {topic}.", "I'd like to learn {topic}.", "Can you recommend something on {topic}?",
        "Where do I start with {topic}?", "{topic} is what I want to learn.", "Teach me {topic}.",
        "I'm curious about {topic}.", "Any good material on {topic}?", "I'd like to get into {topic}.",
        "I need to understand {topic} properly.", "Help me learn {topic}.", "I'm interested in {topic}.",
        "What should I use to learn {topic}?", "Please suggest resources about {topic}.",
        "I keep hearing about {topic} and want to understand it.", "Recommend me something to learn {topic}.",
        "I have to pick up {topic} at work.", "Explain {topic} to me, or point me to good material.",
    ],
    "zh": [
        "我想学{topic}。", "我想学习{topic}。", "有没有关于{topic}的资料？", "推荐一些学{topic}的资源吧。",
        "想系统地学习{topic}。", "{topic}该从哪里开始学？", "我对{topic}很感兴趣。", "请推荐{topic}相关的资料。",
        "工作中需要用到{topic}，想学一下。", "怎么学{topic}比较好？", "最近想研究一下{topic}。", "帮我找找{topic}的学习资料。",
    ],
}
# A topic sentence that also states a goal; the goal phrase is the learner's words around the topic.
TOPIC_GOAL = {
    "en": [
        ("I want to build web apps with {topic}.", "build web apps with {topic}"),
        ("I want to use {topic} to automate my work.", "automate my work"),
        ("I need {topic} to analyse data for my thesis.", "analyse data for my thesis"),
        ("I want to write my own tools in {topic}.", "write my own tools"),
        ("I'm learning {topic} to get a job as a developer.", "get a job as a developer"),
    ],
    "zh": [
        ("我想用{topic}做网站。", "做网站"),
        ("想用{topic}处理工作中的数据。", "处理工作中的数据"),
        ("为了找工作，我想学{topic}。", "找工作"),
        ("想用{topic}写毕业设计。", "写毕业设计"),
    ],
}
TOPIC_JOIN = {"en": " and ", "zh": "和"}

LEVEL = {
    "en": {
        "beginner": ["I'm a total beginner.", "I've never programmed before.", "I'm completely new to this.",
                     "I'm a beginner.", "Complete newbie here.", "I have no experience at all, so I'm starting from scratch.",
                     "I'm new to programming.", "I'm a novice."],
        "intermediate": ["I have some experience already.", "I'd say I'm at an intermediate level.",
                         "I'm intermediate, not a beginner any more.", "I know the basics and want to go further.",
                         "I'm somewhere in the middle: past the basics, not an expert."],
        "advanced": ["I'm an experienced developer.", "I'm advanced, so skip the basics.",
                     "Graduate-level material is fine.", "I'm a senior engineer and want a deep dive.",
                     "Give me advanced material, I'm an expert."],
    },
    "zh": {
        "beginner": ["我是零基础。", "我是新手。", "我完全是小白。", "我是初学者。", "有没有入门的资料？", "我刚开始学，从头学起。"],
        "intermediate": ["我有一定基础。", "我算中级水平。", "我有些基础，想更进一步。"],
        "advanced": ["我是资深开发者。", "我水平比较高，想深入学习。", "想要高级一点的内容。", "给我进阶的资料。"],
    },
}
KNOWN = {
    "en": ["I know some {known}.", "I already know {known}.", "I'm coming from {known}.", "I'm comfortable with {known}.",
           "I'm familiar with {known}.", "I know the basics of {known}."],
    "zh": ["我会{known}。", "我学过{known}。", "我熟悉{known}。", "我懂{known}。"],
}
# Known language + advanced level in one breath ("I'm an experienced C++ developer").
KNOWN_ADVANCED = {
    "en": ["I'm an experienced {known} developer.", "I'm a senior {known} programmer.",
           "I'm a professional {known} engineer."],
    "zh": ["我是资深的{known}开发者。", "我是有多年经验的{known}程序员，水平算高级。"],
}
GAP = {
    "en": ["I never understood {gap}.", "I don't know what {gap} is yet.", "Honestly, I never really understood {gap}.",
           "I'm not familiar with {gap} yet.", "I haven't learned {gap}.", "I have no idea what {gap} is."],
    "zh": ["我不懂{gap}。", "我没学过{gap}。", "我一直不理解{gap}。", "说实话，我不了解{gap}。"],
}
GAP_JOIN = {"en": " or ", "zh": "和"}
GOALS = {
    "en": [
        ("I have coding interviews coming up.", "coding interviews"), ("I need it for my statistics class.", "my statistics class"),
        ("I want to build my own website.", "build my own website"), ("I'm preparing for a job interview.", "job interview"),
        ("My goal is to get a job as a data analyst.", "get a job as a data analyst"),
        ("I want to write a small compiler.", "write a small compiler"), ("I want to pass my exam.", "pass my exam"),
        ("I'd like to contribute to open source.", "contribute to open source"), ("I want to make a game.", "make a game"),
        ("I want to switch careers into tech.", "switch careers into tech"),
        ("I need it for my thesis project.", "my thesis project"), ("I'd like to automate boring tasks at work.", "automate boring tasks at work"),
    ],
    "zh": [
        ("我在准备面试。", "面试"), ("想自己做一个网站。", "做一个网站"), ("为了毕业设计。", "毕业设计"),
        ("想转行做程序员。", "转行做程序员"), ("为了考试。", "考试"), ("想做一个小游戏。", "做一个小游戏"),
    ],
}

# Format nouns as learners write them: singular for "a book", plural for "books please".
FORMAT_PLURAL = {
    "en": {"book": ["books", "e-books", "textbooks"], "video": ["videos", "video lectures", "YouTube videos"],
           "course": ["courses", "online courses", "MOOCs"], "podcast": ["podcasts"],
           "interactive": ["interactive tutorials", "coding exercises"], "paper": ["papers", "research papers"]},
    "zh": {"book": ["书", "书籍", "电子书"], "video": ["视频"], "course": ["课程", "网课"], "podcast": ["播客"],
           "interactive": ["交互式教程", "动手练习"], "paper": ["论文"]},
}
FORMAT_LIKE = {
    "en": {
        "book": ["Books please.", "I prefer reading books.", "A good book would be ideal.", "I'd rather read a book.",
                 "I learn best from books.", "I like e-books I can read on the train."],
        "video": ["Videos please.", "I learn best by watching.", "I prefer video lectures.", "Something I can watch would be great.",
                  "YouTube videos work best for me."],
        "course": ["Courses are fine.", "I'd like a structured online course.", "An online course would be great.",
                   "I prefer MOOCs."],
        "podcast": ["Any podcasts worth listening to?", "I'd like something to listen to.", "Podcasts work best for me.",
                    "Audio would be great, I like to listen."],
        "interactive": ["Something hands-on where I can practise in the browser would be great.",
                        "Interactive tutorials where I write code are my favourite.", "I learn by doing coding exercises.",
                        "I want something interactive."],
        "paper": ["I'd like to read the original papers.", "Research papers are fine."],
    },
    "zh": {
        "book": ["推荐一些书吧。", "我喜欢看书。", "最好是书籍。", "有没有好的电子书？"],
        "video": ["我喜欢看视频。", "最好是视频。", "有没有视频？"],
        "course": ["推荐一些课程。", "想找网课。", "课程就可以。"],
        "podcast": ["有播客吗？", "想听播客。"],
        "interactive": ["想要交互式的教程。", "喜欢动手练习。"],
        "paper": ["想看论文。"],
    },
}
FORMAT_AVOID = {
    "en": ["No {avoid}, please.", "I don't like {avoid}.", "Please avoid {avoid}.", "Not {avoid}.", "I hate {avoid}."],
    "zh": ["不要{avoid}。", "我不喜欢{avoid}。", "别推荐{avoid}。"],
}
FORMAT_OVER = {
    "en": ["I prefer {like} over {avoid}.", "{Like} rather than {avoid}, please.", "I'd take {like} instead of {avoid}."],
    "zh": ["我喜欢{like}，不要{avoid}。", "比起{avoid}，我更喜欢{like}。"],
}
CORRECTION = {
    "en": ["Actually, {like} suit me better.", "Actually I'd rather have {like}.", "On second thought, {like} please.",
           "Hmm, {like} would be better for me after all.", "Sorry, I meant {like}."],
    "zh": ["其实我更喜欢{like}。", "算了，还是{like}吧。", "我改主意了，要{like}。"],
}
LEVEL_CORRECTION = {
    "en": {"beginner": ["Actually, I'm more of a beginner."], "intermediate": ["Actually I have some experience, so intermediate."],
           "advanced": ["Actually, I'm quite advanced."]},
    "zh": {"beginner": ["其实我是新手。"], "intermediate": ["其实我有一定基础。"], "advanced": ["其实我水平挺高的，要高级的。"]},
}

TIME_WORDS = {
    "en": {5: ["5 minutes", "five minutes", "5 mins"], 10: ["10 minutes", "ten minutes", "10 min"],
           15: ["15 minutes", "fifteen minutes", "a quarter of an hour", "15 mins"], 20: ["20 minutes", "twenty minutes", "20 mins"],
           25: ["25 minutes"], 30: ["30 minutes", "thirty minutes", "half an hour", "30 mins"], 40: ["40 minutes", "forty minutes"],
           45: ["45 minutes", "forty-five minutes"], 60: ["an hour", "one hour", "1 hour", "60 minutes"],
           90: ["an hour and a half", "1.5 hours", "90 minutes"], 120: ["two hours", "2 hours", "120 minutes"],
           180: ["three hours", "3 hours"]},
    "zh": {5: ["5分钟", "五分钟"], 10: ["10分钟", "十分钟"], 15: ["15分钟", "十五分钟", "一刻钟"], 20: ["20分钟", "二十分钟", "20 分钟"],
           30: ["30分钟", "三十分钟", "半小时", "半个小时"], 40: ["40分钟", "四十分钟"], 45: ["45分钟", "四十五分钟"],
           60: ["一小时", "一个小时", "1小时", "一个钟头"], 90: ["一个半小时", "90分钟"], 120: ["两个小时", "两小时", "2小时"],
           180: ["三个小时"]},
}
TIME = {
    "en": ["I have about {time} a day.", "I only have {time} per session.", "I can spare {time} each evening.",
           "{Time} a day is all I've got.", "I study {time} at a time.", "I've got {time} at lunch.",
           "About {time} at a time works for me.", "I commute {time} a day.", "Sessions of {time} are all I can do."],
    "zh": ["我每天只有{time}。", "每次大概{time}。", "每天能学{time}左右。", "我一次只能学{time}。", "每天抽{time}学习。"],
}
DEVICE_WORDS = {
    "en": {"phone": ["phone", "mobile", "smartphone"], "tablet": ["tablet", "iPad"], "desktop": ["laptop", "desktop", "PC"]},
    "zh": {"phone": ["手机"], "tablet": ["平板"], "desktop": ["电脑", "笔记本电脑"]},
}
TIME_DEVICE = {
    "en": ["I only have about {time} a day on my {device}.", "I get {time} on my {device} during my commute.",
           "I can do {time} a day, mostly on my {device}."],
    "zh": ["我每天只有{time}，用{device}学。", "每天在{device}上学{time}。"],
}
DEVICE = {
    "en": ["I mostly study on my {device}.", "I'll be using my {device}.", "It has to work on my {device}.",
           "I learn on my {device}."],
    "zh": ["我主要用{device}学习。", "我会在{device}上看。", "要能在{device}上用。"],
}
LANGUAGE_REQUEST = {
    "en": {"zh": ["Do you have anything in Chinese?", "Chinese-language resources would be best.", "Preferably in Chinese."],
           "en": ["In English, please.", "English-language resources please."]},
    "zh": {"zh": ["有没有中文的？", "要中文的。", "最好是中文资料。"], "en": ["我想要英文的资料。", "最好是英文的。"]},
}
FREE = {
    "en": ["Free resources only, please.", "It has to be free, I can't pay.", "I'm on a tight budget, so free stuff please.",
           "Only free ones."],
    "zh": ["只要免费的。", "最好免费。", "我没有预算，要免费的。"],
}
NOTHING = {
    "en": ["Thanks!", "OK, sounds good.", "Hmm, let me think.", "Where should I begin?", "What do you suggest?",
           "Can you show me more?", "Hello!", "Great, thank you.", "Interesting.", "Why that one?", "Any other ideas?"],
    "zh": ["谢谢！", "好的。", "还有别的吗？", "你好", "我想想。", "为什么推荐这个？", "有什么建议？"],
}

# Learners writing Chinese often name a subject in Chinese; these are the catalog topics they stand for.
ZH_TOPIC_NAMES = {
    "Machine Learning": "机器学习", "Deep Learning": "深度学习", "Algorithms & Data Structures": "算法与数据结构",
    "Databases": "数据库", "Networking": "计算机网络", "Operating Systems": "操作系统原理", "Security": "网络安全",
    "Artificial Intelligence": "人工智能", "Data Science": "数据科学", "Web Development": "网站开发",
    "Game Development": "游戏开发", "Mathematics": "数学", "Calculus": "微积分", "Algebra": "代数",
    "Software Architecture": "软件架构", "Version Control Systems": "版本控制", "Cloud Computing": "云计算",
    "Blockchain": "区块链", "Robotics": "机器人", "Compilers": "编译原理", "Computer Graphics": "计算机图形学",
    "linear regression": "线性回归", "Bayes' rule": "贝叶斯定理", "logistic regression": "逻辑回归",
    "Graph Theory": "图论", "Statistics": "统计学", "Computer Science": "计算机科学", "Functional Programming": "函数式编程",
    "Distributed Systems": "分布式系统", "Embedded Systems": "嵌入式系统", "Regular Expressions": "正则表达式",
}
