"""Deterministic extraction of what a message states outright, in English and Chinese.

A slot is filled only when the words say it; otherwise it stays unknown. Topics come from the catalog's own
vocabulary (a TopicMatcher); what the learner already knows or says they lack is split out of the topics.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.profile.schema import ProfileDelta

_FORMAT_WORDS: dict[str, str] = {
    r"books?|e-?books?|reading|read a lot|textbooks?|(?:rather|prefer to|like to|love to|want to|something to|stuff to) read|"
    r"written (?:guides?|tutorials?|explanations?)|reference (?:docs|documentation|manuals?)|"
    r"kindle|e-?reader|read (?:it )?offline|something (?:i|you) (?:can|could) read|read (?:it )?in (?:small )?chunks|"
    r"i read on my (?:phone|tablet|kindle|e-?reader)|文字版|文字教程|看文字|图文|"
    r"pdfs?|print (?:it |them )?out|printable|scribble|something written|"
    r"written (?:stuff|material|text|things|docs|documentation)|in writing|text (?:pls|please|only)|(?:skim|read) (?:the )?text|"
    r"書|书籍?|电子书|教材|阅读": "book",
    r"video(?:s| courses?| lectures?| tutorials?)?|watching|watch|screencasts?|youtube|recorded (?:\w+ )?(?:lectures?|talks?)|"
    r"lecture recordings?|screen ?recordings?|recorded (?:\w+ )?(?:lessons?|sessions?|classes)|"
    r"conference talks?|see (?:it|them|someone) (?:done|do it)|someone on screen|视频|影片|看视频|"
    r"(?:see|seeing|watch|watching) (?:someone|somebody|people|a person) (?:build|code|make|do|walk|work|type)\w*": "video",
    r"courses?|moocs?|classes|(?<!recorded )lectures?(?! recordings?)|课程|网课|公开课": "course",
    r"podcasts?|listen(?:ing)?|audio|in my ears?|播客|音频|听(?!说|过|人说)": "podcast",
    # "interactive 3D on my site" is what they want to make, not how they want to learn
    r"interactive(?! (?:3d|maps?|charts?|graphs?|plots?|visuali[sz]ations?|dashboards?|apps?|web ?apps?|websites?|sites?|"
    r"pages?|games?|fiction|stor(?:y|ies)|scenes?|art|ui|interfaces?|elements?|features?|components?|forms?|widgets?)\b)|"
    r"hands[- ]on|(?:code|coding|typing|type|practi[sc]e|exercises?|run) [^.,;!?]{0,25}in the browser|"
    r"practi[sc]e|(?<!with )(?<!and )exercises|write code|coding exercises|playground|learn\w* (?:best |better )?by doing|"
    r"type (?:the |real )?commands|poke (?:at|around)|(?<!while )click(?:ing)? around|"
    r"(?:run|running|try|trying) (?:the |my |real )?(?:code|cells|commands|examples) (?:myself|as i go)|"
    r"交互|互动|动手|练习": "interactive",
    r"papers?(?!\s*(?:books?|cop(?:y|ies)|back|versions?))|论文": "paper",
}
# Words that turn the format after them into one to avoid ("no videos", "rather than videos").
_NEGATION = (r"(?:not|no|don'?t (?:like|want|enjoy)|(?:don'?t|do not) (?:throw|give|send|point) (?:me )?|dislike|hate|without|"
             r"avoid|never|instead of|rather than|than|over|"
             r"skip|fall asleep|falls asleep|zone out|zoned out|(?:don'?t|do not) do well|"
             r"retain (?:nothing|anything|much)(?: from)?|can'?t stand|"
             r"tired of|sick of|scrap|scratch|ditch|forget about|"
             r"不要|不想|别|不喜欢|讨厌|不爱)")
# A class/lecture as the learner's situation ("for my statistics class") is not a format wish.
_NOT_A_FORMAT = re.compile(r"(?:my|our|the|this|next) (?:\w+ ){0,2}(?:class(?:es)?|courses?|lectures?)\b|"
                           r"(?:before|when|until|between|after|during) (?:(?:an?|my|the|two) )?(?:\w+ ){0,2}"
                           r"(?:class(?:es)?|courses?|lectures?)\b|"
                           # a course taken is experience: "did a basic python course last year"
                           r"(?:did|took|taken|done|finished|completed|passed|failed) (?:an?|one|two|some) (?:\w+ ){0,3}"
                           r"(?:class(?:es)?|courses?|moocs?)\b|"
                           r"(?:university|college|school) course|"
                           r"(?:(?:the )?(?:exercises|problems) )?(?:on|with) (?:pen and )?paper|pen and paper|"
                           # what others swear by is theirs: "my friend swears by youtube but I prefer books"
                           r"(?:people|everyone|everybody|friends?|colleagues?|co-?workers?|classmates?|teammates?|"
                           r"同事|朋友|别人|大家|同学)(?![a-z])[^.,;!?，。；！？]{0,25}?(?:keep (?:telling|saying)|swears? by|"
                           r"recommend\w*|suggest\w*|推荐|安利)(?:(?! but )[^.;!?，。；！？])*", re.I)
# A format word is a wish only in a clause that asks or states a habit ("any podcasts?", "I'd rather read", "videos
# if you have them"); in a story or another sense it is not ("saw a video of...", "podcasts keep mentioning X",
# "anybody could be listening in", "a line between two classes").
_CLAUSE = re.compile(r"(?:[^.;!?。；！？，,\s]|\s(?!(?:and|but|so)\s+(?:i|we|my)\b))+", re.I)
_WISH = re.compile(
    r"(?<![a-z'])(?:want|wanna|would like|i'?d like|looking for|look for|prefer|preferably|ideally|rather|any|anything|"
    r"something|some|recommend|suggest|need|please|is there|are there|got any|know of|should i|can i|could i|point me|"
    r"give me|show me|best|good|great|worth|ideal|perfect|nice|help|helps|fine|ok|okay|i (?:really )?like|love|enjoy|"
    r"favou?rite|suits?|works? for me|for me|learner|"
    r"if you have|if possible|if there|only|mostly|mainly|usually|tend to|while i|during|on my|commute|commuting|"
    r"drive|driving|walk|gym|instead|more of|find|learn\w* (?:best |better )?by|pls|plz|"
    r"(?:learn|absorb|understand|remember|retain)\w* (?:\w+ ){0,2}?(?:best|better|more)|"
    r"(?:i'?d|i would|i could|i can) (?:happily |gladly |definitely |probably )?(?:watch|read|listen))(?![a-z])"
    r"|想|要|希望|有没有|有什么|推荐|求|找|最好|喜欢|偏好|适合|吗|请|给我|比较|可以|能不能|更|就行|就好|也行", re.I)
_FRAGMENT_WORDS = 4
# A short clause with a subject is a statement ("I can write code"), not a bare wish ("videos please").
_FIRST_PERSON = re.compile(r"(?<![a-z'])(?:i|we|i'?m|i'?ve)(?![a-z'])", re.I)


# The format as the subject of a report ("podcasts keep mentioning X") is a story, not a description of a wish.
_REPORTED = re.compile(r"^\W*(?:keep|keeps|kept|mention\w*|say|says|said|talk\w*|show\w* up|pop\w* up)\b", re.I)


_LEAD = re.compile(r"a|an|some|more|few|short|small|little|quick|simple|free|good|online|written|printed|longer|"
                   r"real|proper|interactive|practical|beginner|intro(?:ductory)?|advanced|so|then|maybe|either|or|and|"
                   r"both|preferably|(?:" + "|".join(_FORMAT_WORDS) + ")", re.I)


def _wished(text: str, start: int, end: int) -> bool:
    """The format word at text[start:end] is wished for: its clause asks or states a habit, is a bare fragment that
    opens or (nearly) ends with it ("videos.", "or do hands-on labs") or opens with the format ("small exercises...")."""
    clause = next((m for m in _CLAUSE.finditer(text) if m.start() <= start < m.end()), None)
    if clause is None:
        return True
    words, lead = clause.group(0).split(), text[clause.start():start].split()
    if _CJK.search(clause.group(0)):
        fragment = len(words) <= _FRAGMENT_WORDS or len(clause.group(0).strip()) <= 8
    else:
        fragment = (len(words) <= _FRAGMENT_WORDS and not _FIRST_PERSON.search(clause.group(0))
                    and (not lead or len(text[end:clause.end()].split()) <= 1))
    if fragment:
        return True
    if all(_LEAD.fullmatch(w) for w in lead) and not _REPORTED.match(text[end:clause.end()]):
        return True
    return _WISH.search(clause.group(0)) is not None


# A dislike stated after the format: "textbooks put me to sleep", "books just don't work for me".
_DISLIKED_AFTER = re.compile(r"^[^.,;!?，。；！？]{0,60}?\b(?:(?:just |really |never )?(?:don'?t|doesn'?t|do not|does not|never) "
                             r"(?:work|click|stick)(?: for me)?|(?:isn'?t|is not|aren'?t|are not) (?:really )?clicking|"
                             r"makes? my eyes glaze|puts? me to sleep|bores? me|(?:are|is) (?:too )?(?:boring|dull)|"
                             r"(?:are|is) not for me|(?:aren'?t|isn'?t) for me|lose me|"
                             r"makes? me (?:car|motion |sea)?sick|makes? me (?:sleepy|dizzy|nauseous)|gives? me headaches?|"
                             r"(?:isn'?t|is not|ain'?t) (?:going to|gonna) happen|(?:is|are) (?:out|off the table)\b)"
                             # said of the format itself ("screencasts are useless", "books, not so much")
                             r"|^\s*(?:[\w-]+\s+){0,2}?(?:are|is) (?:(?:pretty|totally|kind of|kinda) )?"
                             r"(?:useless|pointless|no use|no good)\b|^,?\s*not so much\b"
                             r"|^[^，。；！？]{0,6}?(?:太枯燥|枯燥|看不下去|看不进去|容易走神|走神|犯困|坐不住|没意思|不适合我|就不用了|不用了|不需要|就算了|免了)", re.I)

# ", very comfortable with X" with no subject: only where a clause starts, so "not comfortable with" cannot match.
_EASE_UNSPOKEN = r"(?:^|(?<=[,;:(] ))(?:already |very |really |quite |pretty |fairly )?"
_LEVELS: list[tuple[str, str]] = [
    (r"grad(?:uate)?[- ]level|grad(?:uate)? textbooks?|advanced|expert|experienced|(?<!to )senior|deep[- ]dives?|professional|"
     r"proof[- ]heavy|(?:anything|stuff|something|books?|material) that holds? (?:my|your) hand|"
     r"(?:doing|during|in) (?:a|my) (?:masters|master'?s|phd|ph\.d\.?)|"
     r"(?:i have|i've got|i hold|i did|i've done|with) an? (?:maths?|mathematics|physics|statistics|cs|"
     r"computer science) (?:degree|phd|ph\.d\.?)|phd student|"
     r"no (?:intro|introductory|beginner) (?:material|stuff|books?|content)|i'?m past (?:that|the basics)|"
     r"i teach (?:[\w-]+ ){0,3}(?:at|in) (?:uni|university|college)|don'?t dumb (?:it|this|things) down|proofs are welcome|"
     r"(?:feel free to|you can|please) go (?:hard|deep|all in)|don'?t hold back|"
     r"ph\.? ?d(?!\.? (?:programs?|applications?|admissions?|positions?))\b|postdoc|"
     r"(?<!no )(?<!without )(?<!without a )(?<!not a )(?:maths?|mathematics|physics|statistics|stats) (?:graduate|degree)\b|"
     r"for a living|since (?:the )?[\w.+#-]+ (?:days|era)|since (?:[a-z+#]+ )?v?\d+(?:\.\d+)*\b(?! (?:minutes|hours|am|pm))|"
     r"old news|decades? of|no (?:need for |need of )?hand[- ]?holding|rigou?rous(?:ly)?\b|rigou?r\b|"
     r"(?:full|formal) proofs?|measure[- ]theor\w*|graduate (?:course|class)|"
     r"(?:go|jump|get|skip) straight (?:to|into) the (?:meaty|hard|advanced|deep|serious|real|good)|"
     r"well (?:past|beyond) (?:the )?(?:intro\w*|basics|beginner)|"
     r"高级|资深|博士|多年经验|工作多年", "advanced"),
    (r"intermediate|mid[- ]level|some experience|skip (?:the )?(?:absolute[- ]|total[- ])?beginner|"
     r"i'?ve (?:shipped|built|made|written) (?:a couple|a few|several|a handful|some|two|three)|"
     r"already (?:write|know|use) basic|not[- ](?:a[- ]|an[- ])?(?:total[- ]|complete[- ]|absolute[- ])?(?:beginner|newbie|novice)|"
     r"not (?:totally |completely |entirely )?clueless|"
     r"know (?:some|the basics)|a bit of experience|past hello world|(?:not|n'?t|no longer) new to|"
     r"not (?:starting )?(?:from|at) (?:zero|scratch|nothing|square one)|not baby steps|"
     r"(?:i'?m|i am) (?:already |pretty |quite |fairly |reasonably )?(?:ok|okay|fine|comfortable|solid|decent|confident) "
     r"(?:with|at|in)\b(?! (?:either|any|anything|that|this|it|both|whatever|videos?|books?|reading|watching|english|"
     r"chinese|free|paid|long|short)\b)|"
     r"skip (?:the |all the |any )?[^.,;!?]{0,30}?(?:chapters?|basics|intro\w*|fundamentals)|"
     rf"{_EASE_UNSPOKEN}(?:comfortable|fluent|confident) (?:with|in)\b"
     r"(?! (?:either|any|anything|that|this|it|both|whatever|videos?|books?|reading|watching|english|chinese)\b)|"
     r"i (?:write|use|do) [\w+#.]+ (?:all day|every day|daily)|"
     r"(?:did|done|went through|finished|completed|graduated from) (?:a |an |one of those |the )?[^.,;!?]{0,20}bootcamp|"
     r"know [\w+#.]+(?: [\w+#.]+)? (?:(?:pretty|quite|fairly|reasonably) well|decently|well)|"
     r"(?:already )?know (?:the )?(?:standard|basic|usual|common) |past the (?:absolute |very |bare )?basics|"
     r"beyond the basics|solid on the basics|not the (?:very )?first steps|(?:need|want) the next step|"
     r"(?:the )?basics are (?:there|down|covered|done|in place)|(?:got|have) the basics(?: down)?\b|"
     r"(?:i'?ve|i have) (?:used|done|tried) (?:it|[\w+#.]+) (?:for|with) (?:basic|simple|small)|"
     r"(?:i'?ve |i have |i )?(?:built|made|wrote|written) (?:a|my own) (?:small|little|simple|toy) |"
     r"不用太基础|不要太基础|别太基础|(?:入门|基础)[^，。；！？]{0,8}跳过|跳过[^，。；！？]{0,8}(?:入门|基础)|基本语法会|"
     r"(?:for|over) (?:a while|some time|a (?:couple|few) (?:of )?years|a year or two)|"
     r"(?:2nd|3rd|second|third|final)[- ]year (?:cs|computer science|engineering|maths?|undergrad|student|of)|"
     r"i (?:already |basically )?(?:write|use|do|work (?:in|with)) [\w+#.]+ (?:all day|every day|daily)|"
     r"i (?:get|understand|have|got) the basics|(?:past|beyond|above) (?:the )?beginner|"
     r"(?:worked|gone|went|got|made it|been) through (?:the |all the |most of the )?(?:[\w+#.-]+ ){0,2}"
     r"(?:basics|fundamentals|tutorials?|intro\w*)|did (?:fine|ok|okay|well) in|"
     r"已经掌握|掌握了|基础[^，。；！？]{0,6}掌握|学过一些|用过一段时间|"
     r"有一定基础|有些基础|中级|进阶|基础[^，。；！？]{0,4}还记得|基础[^，。；！？]{0,6}(?:已经会|没问题)", "intermediate"),
    (r"beg+in+er|new to|never (?:really |actually |ever |even )?(?:programmed|coded|learned|used|written|touched|tried|done|seen|"
     r"made|built|opened|installed|run|ran|studied|held)|new territory|(?:my )?first [\w ]{0,25}?(?:course|class) ever|"
     r"like i'?m (?:five|5|a (?:kid|child))|(?:nothing|not) too (?:heavy|hard|technical|advanced|mathy|deep)|"
     r"(?:keep it|nice and) gentle|my (?:maths?|math|stats|statistics|coding|programming) (?:is|are) (?:\w+ )?rusty|"
     r"don'?t (?:even |actually |really )?(?:get|understand) [^.,;!?]{0,30}?\byet\b|i don'?t (?:actually |really )?get it|"
     r"haven'?t (?:touched|used|done|studied) [\w ]{1,20}? since|total novice|novice|"
     r"from scratch|from the (?:very )?(?:basics|beginning|ground up)|go easy on me|be gentle|"
     r"zero (?:[\w-]+ )?(?:experience|background|knowledge)|zero (?:eye|idea|clue|coding|programming)|"
     r"know (?:absolutely |literally )?nothing (?:about|of)\b|career changer|(?:only|just) (?:done|taken|had) (?:an? )?intro|"
     r"freshman|first[- ]year (?:student|undergrad)|junior (?:dev|developer|engineer|programmer)|\w+ months in\b|"
     r"months into (?:my|a|the) (?:first|new)|not (?:very |really |at all )?(?:techy|technical|tech[- ]savvy)|"
     r"(?:complete|total|a) mystery|"
     r"(?:completely|totally|all) (?:gone|forgotten)|forgot(?:ten)? (?:it all|everything)|"
     r"(?:daughter|son|kids?|child(?:ren)?|nephew|niece)\b[^.?!]{0,15}\b(?:is|are|aged?) (?:[4-9]|1[0-2])\b|"
     r"just start|get started|getting started|no experience|first time|complete newbie|newbie|newcomer|noob|"
     r"keep it (?:basic|simple)|high[- ]school level|(?:from|at) (?:near|almost|close to) zero|"
     r"never (?:seen|saw|written|wrote|read) a (?:single )?line of|"
     r"start(?:ing)? (?:from|at) (?:absolute |complete |total )?(?:zero|nothing|square one)|"
     r"from (?:absolute |complete |total )?(?:zero|nothing)\b|barely (?:know|used|touched|understand)|"
     r"hardly know|(?:couldn'?t|can'?t) (?:even )?write (?:a )?hello world|day one for me|"
     r"(?:neither|none|nobody) [^.,;!?]{0,25}?(?:(?:has|have) )?(?:ever )?(?:programmed|coded|written (?:any )?code)|"
     r"go gently|(?:a|one) single intro|"
     r"only ever (?:copied|pasted|copy[- ]?pasted)|know [^.,;!?]{1,30}? and (?:that'?s|thats) (?:about )?it|"
     r"(?:copy|copied|copying|paste|pasted|pasting) [^.,;!?]{0,30}?(?:snippets|answers) |without understanding|"
     r"(?:not|never been) a (?:programmer|coder|developer)|non-?programmer|no (?:coding|programming) background|"
     r"(?:complete|total|totally) blank|barely (?:scraped|passed|got) through|\bintern\b|"
     r"first (?:week|day|month) (?:as|at|in|on)\b|only [^.!?]{0,25}i'?ve (?:ever )?(?:done|written|used|coded)|"
     r"(?:just |only )?(?:finished|completed|took|did) (?:an? |one )?intro(?:ductory)?\b|"
     r"intro(?:ductory)?[- ]level|entry[- ]level|一行代码|(?:代码|程序|编程)[^，。；！？]{0,6}没(?:有)?(?:写|学|碰|接触)过|"
     r"没(?:有)?(?:写|学)过(?:代码|程序|编程)|刚开始学(?:编程|代码|写代码)|刚入门|"
     r"入门|零基础|初学|新手|新人|小白|从头|从基础|从零|没接触过|没有接触过|从没接触|"
     r"基本是空白|一片空白|没有基础|没基础|完全不懂|都还不会|还不会|从来?没[^，。；！？]{0,4}?(?:做|用|写|学|碰|接触)过|"
     r"完全没[^，。；！？]{0,2}?(?:做|用|写|学|碰|编)过|一点(?:都|也)不会|完全不会", "beginner"),
]

_CJK = re.compile(r"[\u4e00-\u9fff]")
# A request for a language beats a passing mention ("the Chinese translations are outdated; English resources please").
_LANG_REQUEST = [(r"in chinese|chinese[- ]language|中文|汉语|普通话", "zh"),
                 (r"in english|english[- ]language|english (?:resources?|materials?|books?|videos?|courses?|content|ones|only|"
                  r"is (?:fine|ok|okay))\b|英文|英语", "en"),
                 (r"\bchinese\b", "zh")]

_NUMBER_WORDS = {"a": 1, "an": 1, "a couple of": 2, "a couple": 2, "a few": 3, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                 "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15,
                 "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50, "sixty": 60, "ninety": 90,
                 "一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
                 "半": 0.5}
_MINUTES = re.compile(
    r"(?P<num>\d+(?:\.\d+)?|a couple(?: of)?|a few|an?|one|two|three|four|five|ten|fifteen|twenty|thirty|forty(?:-five)?|fifty|sixty|ninety|"
    r"half an?|[一两二三四五六七八九]?十[一二三四五六七八九]?|[一两二三四五六七八九半])"
    r"[\s-]*(?:个)?(?P<half_zh>半)?\s*(?:(?:solid|full|good|whole|spare|free|clear|uninterrupted|quiet|focused|dedicated|proper) )?"
    r"(?P<unit>minutes?|mins?|hours?|hrs?|h\b|分钟|小时|钟头)(?P<half> and a half|半)?",
    re.I,
)
# A length refused or told ("no 2 hour video", "the talk runs for 50 minutes") is not the learner's time.
_NOT_A_BUDGET = re.compile(r"(?<![a-z])(?:no|not|never|hate|avoid|takes?|took|lasts?|runs?|ran)\s+(?:an?\s+|more\s+|for\s+)?"
                           r"(?:about\s+|like\s+|over\s+|almost\s+)?$", re.I)
_HALF_HOUR = re.compile(r"half an? hour|half[- ]hour|(?<![一两二三四五六七八九十个])半(?:个)?(?:小时|钟头)", re.I)
_QUARTER_HOUR = re.compile(r"(?P<three>three[- ])?quarters? (?:of an|an) hour|一刻钟", re.I)
_DEVICES = [(r"\b(?:phone|mobile|smartphone|iphone|android phone|on the go)\b|手机", "phone"),
            (r"\b(?:tablet|ipad)\b|平板", "tablet"),
            (r"\b(?:laptop|desktop|pc|workstation)\b|电脑|笔记本电脑", "desktop")]
_FREE = re.compile(r"\bfree\b|no money|can'?t (?:pay|afford)|no budget|免费", re.I)

_AT_EASE = r"(?:comfortable|fine|ok|okay|solid|familiar|good|fluent|decent|confident)"  # "I'm ... with X"
# "I know some Ruby", "experienced C++ developer", "coming from Java", "我会 Python".
_KNOWN = re.compile(
    # "I'm comfortable with PCA and linear algebra already": the whole list is known.
    # ", very comfortable with Kalman filters": the same without a subject, only where a clause starts ("not" cannot).
    rf"(?:(?:i'?m|i am) (?:already |pretty |quite )?{_AT_EASE}|"
    rf"{_EASE_UNSPOKEN}(?:comfortable|fluent|confident|at home)) "
    r"(?:with|at|in) "
    r"(?P<ease>[^.,;!?]+?)(?=\s+(?:already|too|as well|so|but|though)\b|[.,;!?]|$)|"
    r"(?:i (?:already )?know(?: some| a bit of| a little| the basics of| basic)?|"
    r"i'?m an?(?= [^.,;!?]{1,30}? (?:developer|dev|programmer|engineer)\b)|"
    r"familiar with|coming from|i (?:already )?(?:use|used|learned|learnt|studied|work with|write)|"
    r"(?:experienced|senior|professional|seasoned)(?:\s+(?:with|in|at))?|years of|"
    r"i(?:'?ve| have)? (?:build|built|make|made|write|wrote|written|code|coded|program|programmed|ship|shipped|develop|"
    r"developed) (?:[\w-]+ ){0,4}?(?:with|in|using)|"
    r"(?:i(?:'?ve| have)? )?(?:only |just )?(?:done|taken|had|did|took|finished|completed) (?:an? )?"
    r"(?:intro|introductory|beginner|basic)(?: to| in)?)"
    r"\s+(?P<what>[^.,;!?]+?)"
    r"(?=\s+(?:developer|programmer|engineer|dev|coder|dba|admin|and|but|so|already|for|well|very|every|all|"
    r"reasonably|fairly|pretty|quite|from|at uni|in school|last|since|"
    r"at work|daily)\b|[.,;!?]|$)"
    # "plain nets and backprop I'm already fine with": what is known comes first.
    r"|(?P<before>[^.,;!?]{2,60}?)\s+(?:i'?m|i am)\s+(?:already\s+|pretty\s+|quite\s+)?"
    rf"{_AT_EASE}\s+with(?:\s+already)?(?=\s*[.,;!?]|$)"
    r"|(?:我会|我学过|我懂|我熟悉|熟悉|学过)\s*(?P<zh>[A-Za-z0-9+#.\- ]+|[\u4e00-\u9fff]{2,8})",
    re.I,
)
# The learner's background told as a story: "I've only ever written Java", "my whole background is javascript",
# "react dev here", "I've been on C++ for ages", "写了五年 C++", "我一直写 Java 后端". What it names is known, not asked for.
_BACKGROUND = re.compile(
    r"(?:i(?:'?ve| have)? (?:only |mostly |also |just |already )?(?:ever )?(?:written|wrote|done|did|do|coded in|"
    r"been (?:writing|doing|coding in|using|working (?:with|in)|on))|"
    r"i (?:only|also|mostly) know|(?:my|whose) (?:whole |entire |main )?background is(?: in)?|i come from)"
    r"(?: (?:a bit of|a little|some|mostly|only|plain|embedded|modern|old|multithreaded))?"
    r"\s+(?P<what>[^.,;!?]+?)(?=\s+(?:and (?:i|it|that|now|then)|but|so|for|at|since|every|all|in|on|already|"
    r"last|before|back|code|apps?|scripts?|stuff|mostly|daily|professionally|nothing)\b|[.,;!?]|$)"
    r"|(?:^|[.!?]\s+)(?P<role>[\w.+#-]+(?: [\w.+#-]+)?) (?:dev|developer|hacker|programmer|engineer)s? (?:here|for)\b"
    r"|i(?:'?ve| have)? (?:shipped|built|made|written|write|wrote|maintain(?:ed)?) (?:a few |some |several |many )?"
    r"(?P<made>[\w.+#-]+) (?:apps?|code|services?|projects?|sites?|websites?|games?|scripts?|simulations?|backends?)\b"
    r"|(?:写了|用了|做了|写过)(?:[一两三四五六七八九十好几多]+年)?\s*(?P<zh>[A-Za-z][A-Za-z0-9+#.\-]*)"
    r"|(?P<zh_before>[A-Za-z][A-Za-z0-9+#.\-]*)\s*(?:写了|用了|做了)[一两三四五六七八九十好几多]+年"
    r"|(?:一直|平时|平常|工作)[^，。；！？]{0,14}?(?:写|用|做)\s*(?P<zh_always>[A-Za-z][A-Za-z0-9+#.\-]*)",
    re.I,
)
# "never understood Bayes' rule", "I don't know what a decision tree is", "不懂概率论".
_GAPS = re.compile(
    r"(?:never (?:really )?(?:understood|understand|learned|learnt|got|studied)|"
    r"(?:don'?t|do not|didn'?t|did not) (?:really )?(?:know|understand|get)(?: what)?|no idea what|"
    r"(?:not|n'?t) (?:yet )?familiar with|haven'?t (?:learned|learnt|studied|done)|(?:skipped|missed))\s+"
    r"(?:(?:a|an|the)\s+)?(?P<what>[^.;!?]+?)(?=\s+(?:is|are|yet|though|either|properly|at all|works?)\b|[.;!?,]|$)"
    r"|(?:不懂|没学过|不了解|不会|不理解)\s*(?P<zh>[A-Za-z0-9+#.\-' ]+|[\u4e00-\u9fff]{2,8})",
    re.I,
)
# "every tutorial assumes I know importance sampling, which I don't": what others take for granted and the learner
# then denies is a gap, not something known.
_ASSUMED = re.compile(
    r"(?:assumes?|assumed|assuming|expects?|expected|presumes?|presupposes?)\s+(?:that\s+)?"
    r"(?:i|you|we|the reader|readers|everyone|people)\s+(?:already\s+)?(?:know|understand|get|(?:am|are) familiar with)"
    r"\s+(?:about\s+)?(?P<what>[^.,;!?]+?)(?=\s+(?:with|and|but|which|already|well)\b|[.,;!?]|$)"
    r"(?=[^.;!?]*\b(?:which|but|and|though)\s+i\s+(?:really\s+)?(?:don'?t|do not|didn'?t|did not|never)\b)",
    re.I,
)
# "scratch the PHP part", "forget about Java", "WordPress instead of PHP", "不学 Java 了".
_NAME = r"[\w+#-]+(?:\.[\w+#-]+)*"  # "Node.js", "ASP.NET": a name does not end at a full stop
_DROPS = re.compile(
    r"(?:scratch|forget(?: about)?|drop|skip|never mind|no longer (?:want|need)|not interested in|instead of|"
    r"rather than|without (?:having to )?(?:learn(?:ing)?|us(?:e|ing)|touch(?:ing)?)|(?:don'?t|do not) want to (?:learn|use)|"
    r"alternatives? to|other than)\s+(?:the\s+)?"
    r"(?P<what>[^.,;!?]+?)(?=\s+(?:part|stuff|bit|thing|idea|anymore|for now|for that|for this)\b|[.,;!?]|$)"
    r"|(?P<heavy>\b[\w.+#-]+) (?:feels|felt|seems|seemed|looks|looked|is|was) (?:like )?(?:way |far |much )?"
    r"(?:too (?:much|heavy|big)|overkill)"
    # what is being left ("moving our Android code from Java to Kotlin", "从 Vue 迁到 React") or only compared with
    # ("python-ish syntax", "friendlier than raw assembly", "compared to Java")
    r"|(?:mov|migrat|switch|port|transition|go|went)\w*\b[^.,;!?]{0,30}?\b(?:from|off) (?P<from>[\w.+#-]+(?: [\w.+#-]+)?) "
    r"(?:to|onto)\b"
    r"|(?P<ish>\b[\w.+#]+)-ish\b|compared (?:to|with) (?P<compared>[\w.+#-]+)"
    r"|(?:friendlier|easier|simpler|nicer|lighter|safer|faster) than (?:raw |plain )?(?P<than>[\w.+#-]+)"
    r"|tried (?P<tried>[\w.+#-]+(?: and [\w.+#-]+)?)\b[^.;!?]{0,40}?(?:too much|overkill|boilerplate|ceremony|heavy|"
    r"hated|didn'?t like|gave me)"
    r"|从\s*(?P<zh_from>[A-Za-z][A-Za-z0-9+#.\-]*)\s*(?:迁|转|换|切)"
    # "是 C 语言，不是 C#"
    r"|(?:^|[，,；;。])\s*(?:而)?不是\s*(?P<zh_not>[A-Za-z][A-Za-z0-9+#.\-]*)"
    # "it's Ember, not Backbone", "...over ssh. NOT terraform", "the modern Angular please, not the old AngularJS",
    # "gulp got replaced last year"
    rf"|(?:[,;—–.!?(-]|^|it'?s|its|that'?s)\s*not\s+(?!(?:through|via|with|using|in|at|on|for)\b)(?:the\s+)?(?:old\s+|legacy\s+|older\s+)?(?P<not>{_NAME}(?: {_NAME})?)"
    # "..., not through some python library"
    rf"|\bnot (?:through|via|with|using|in) (?:some |a |an |the |any )?(?P<through>{_NAME})"
    r"|(?P<replaced>\b[\w.+#-]+) (?:got|was|has been|is being|is getting) (?:replaced|dropped|retired)"
    r"|(?P<wrong>\b[\w.+#-]+(?: [\w.+#-]+){0,2}) (?:is|are|was|were) (?:the |a )?(?:wrong|not the right|not a good) "
    r"(?:tool|choice|approach|model|method|fit)"
    r"|(?:不学|不想学|不要学|放弃)\s*(?P<zh>[A-Za-z0-9+#.\- ]+|[\u4e00-\u9fff]{2,8})",
    re.I,
)
# "let me narrow that down: the Lisp inside Emacs", "to clarify, I want gradle", "specifically Mongo", "我是说 C 语言"
_NARROWS = re.compile(
    r"\bnarrow(?:ing)? (?:it|that|this|things) down|\bto clarify\b|\b(?:more )?specifically\b|\bi meant\b|"
    r"\bwhat i (?:really |actually )?(?:need|want|mean)\b|\bactually\b|\bscratch that\b|\bnever ?mind\b|"
    r"其实|准确地说|具体(?:来说|地说|点)|我是说|我的意思是|打错了",
    re.I,
)
_ADDS = re.compile(r"\b(?:also|too|as well|in addition|on top of)\b|还想|也想|另外", re.I)
_GOALS = re.compile(
    r"(?:want|like|need|going|trying|hope|plan) to (?P<what>(?:build|make|write|create|pass|prepare for|get|land|"
    r"understand|analy[sz]e|automate|query|deploy) [^.,;!?]+)|(?P<prep>(?:coding |job |technical )?interviews?)|"
    r"for (?P<for>my (?:\w+ ){0,2}(?:class|course|exam|job|thesis|project|work))",
    re.I,
)
_LIST_SPLIT = re.compile(r"\s*(?:,|\bor\b|\band\b|/|、|和|或)\s*", re.I)
_TRAILING = re.compile(r"\b(?:yet|though|either|really|very well|well|properly|at all|before|stuff|things?)\s*$", re.I)


_ENGLISH_GLUE = re.compile(r"\b(?:i|you|the|a|an|to|and|is|are|am|want|know|learn|some|my|me|for|of|in|on|with|"
                           r"please|how|what|can|about|would|like|need|any)\b", re.I)


def detect_language(text: str) -> str:
    """zh when the text is written in Chinese, else en (the catalog's two languages). A Chinese name inside an
    English sentence ("I know some 计算机图形学") does not make it Chinese: English glue words decide."""
    return "zh" if len(_CJK.findall(text)) >= 2 and len(_ENGLISH_GLUE.findall(text)) < 2 else "en"


def _phrases(text: str) -> list[str]:
    parts = []
    for part in _LIST_SPLIT.split(text):
        part = _TRAILING.sub("", part.strip(" '\"")).strip(" '\"")
        if part and len(part) <= 60:
            parts.append(part)
    return parts


_VIDEO_COURSE = re.compile(r"video (?:[\w-]+ )?(?:courses?|lectures?)|recorded (?:\w+ )?lectures?|视频课程", re.I)
_COURSE_WORD = re.compile(r"(?<![a-z])(?:courses?|moocs?|classes|课程|网课)(?![a-z])", re.I)


def _formats(text: str) -> tuple[list[str], list[str]]:
    liked: list[str] = []
    disliked: list[str] = []
    masked = _NOT_A_FORMAT.sub(" ", text)
    for pattern, fmt in _FORMAT_WORDS.items():
        for match in re.finditer(rf"(?<![a-z])(?:{pattern})(?![a-z])", masked, re.I):
            before = masked[max(0, match.start() - 40):match.start()].lower()
            # "X over Y" / "X rather than Y": Y is the one not wanted.
            negated = (re.search(rf"(?<![a-z]){_NEGATION}(?![a-z])[^.,;:!?，。；！？–—]*$", before.split(" - ")[-1])
                       or _DISLIKED_AFTER.search(masked[match.end():]))
            if not negated and not _wished(masked, match.start(), match.end()):
                continue
            target = disliked if negated else liked
            if fmt not in target:
                target.append(fmt)
    liked = [f for f in liked if f not in disliked]
    # "video courses" is a wish for videos, not for the course format as such; lectures one watches are videos too
    # (a lecture is a course only when nothing says how it is given).
    if "video" in liked and "course" in liked and (_VIDEO_COURSE.search(text) or not _COURSE_WORD.search(masked)):
        liked.remove("course")
    return liked, disliked


# "ten years of C++", "been a nurse for 12 years", "做前端两年了": five years or more is advanced, fewer intermediate.
_YEARS = re.compile(
    r"(?<![a-z])(?:(?P<n>\d+|a couple of|a few|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty)"
    r"\+? (?:more )?(?:years?|yrs?) (?:of|as|in|behind|doing|writing|working|coding|programming|at|on|now)\b|"
    r"(?:been|worked as|working as) an? [\w+#. ]{1,30}? for (?:about |over |almost |nearly |~)?"
    r"(?P<m>\d+|\w+)\+? (?:years|yrs)|"
    r"(?:[a-z]+(?:ing|ed)|did|done|written|wrote|been|built|made|run|ran|taught)(?: [^.,;!?]{1,40}?)? for "
    r"(?:like |about |over |almost |nearly |around |~)?(?P<f>\d+|\w+)\+? (?:years|yrs)|"
    r"(?:dev|developer|engineer|programmer|admin|analyst) for (?:about |over |~)?(?P<d>\d+|\w+)\+? (?:years|yrs))|"
    r"(?:做|写|学|用|干|搞)[^，。；！？]{0,8}?(?P<zh>[一两二三四五六七八九十]+|\d+)年", re.I)


def _years_level(text: str) -> str | None:
    match = _YEARS.search(text)
    if not match:
        return None
    raw = (match.group("n") or match.group("m") or match.group("f") or match.group("d") or match.group("zh")).lower()
    years = _number(raw)
    years = 5 if years is None else years
    # "written Go professionally for 4 years": paid years count as the deep end already
    return "advanced" if years >= 5 or re.search(r"professional", text, re.I) else "intermediate"


# What the learner asks the material to be ("intermediate-level is fine") outranks what their years would say.
_ASKED_LEVEL = re.compile(r"(?<!not )(?<!no )(?<!total-)(?<!total )(?<!above )(?<!beyond )(?<!past )(?<!than )"
                          r"\b(beginner|intermediate|advanced)[- ](?:level|friendly)\b", re.I)
# Starting from nothing in the subject asked about outranks years spent on another ("3 yrs of JS ... from zero on the
# hardware side").
_FROM_NOTHING = re.compile(r"from (?:absolute |complete |total )?(?:zero|scratch|nothing)\b|(?:complete|total|totally) blank|"
                           r"know (?:absolutely )?nothing (?:about|of)", re.I)


def _level(text: str) -> str | None:
    if asked := _ASKED_LEVEL.search(text):
        return asked.group(1).lower()
    if level := _years_level(text):
        return "beginner" if _FROM_NOTHING.search(text) else level
    for pattern, level in _LEVELS:
        if re.search(rf"(?<![a-z])(?:{pattern})", text, re.I):
            return level
    return None


def _number(raw: str) -> float | None:
    """A count written in digits, English words or Chinese numerals ("四十五" is 45)."""
    raw = raw.lower()
    if re.match(r"\d", raw):
        return float(raw)
    if len(raw) == 2 and all(c in _NUMBER_WORDS and c != "十" for c in raw):  # "三四年": a range, its lower end
        return _NUMBER_WORDS[raw[0]]
    if "十" in raw:
        tens, _, ones = raw.partition("十")
        return _NUMBER_WORDS.get(tens, 1) * 10 + _NUMBER_WORDS.get(ones, 0)
    return _NUMBER_WORDS.get(raw)


# "the train leaves at 7:10 and gets in at 7:50": two clock times close together are a span of time.
_CLOCK_SPAN = re.compile(r"(?<![\d:])(?P<h1>[01]?\d|2[0-3])[:：](?P<m1>[0-5]\d)(?!\d)[^.;!?。；！？\d]{1,40}?"
                         r"(?<![\d:])(?P<h2>[01]?\d|2[0-3])[:：](?P<m2>[0-5]\d)(?!\d)")


def _clock_span(text: str) -> int | None:
    match = _CLOCK_SPAN.search(text)
    if not match:
        return None
    minutes = (int(match["h2"]) * 60 + int(match["m2"])) - (int(match["h1"]) * 60 + int(match["m1"]))
    return minutes if 5 <= minutes <= 240 else None


def _minutes(text: str) -> int | None:
    if _HALF_HOUR.search(text):
        return 30
    if quarter := _QUARTER_HOUR.search(text):
        return 45 if quarter.group("three") else 15
    match = next((m for m in _MINUTES.finditer(text) if not _NOT_A_BUDGET.search(text[:m.start()])), None)
    if not match:
        return _clock_span(text)
    raw = match.group("num").lower()
    value = 0.5 if raw.startswith("half") else _number(raw)
    value = 1 if value is None else value
    unit = match.group("unit").lower()
    if match.group("half") or match.group("half_zh"):
        value += 0.5
    minutes = value * 60 if unit.startswith(("h", "小", "钟")) else value
    return int(round(minutes)) if 1 <= minutes <= 24 * 60 else None


def _spans(pattern: re.Pattern, text: str) -> list[str]:
    found: list[str] = []
    for match in pattern.finditer(text):
        what = next((g for g in match.groups() if g), None)
        if what:
            found += _phrases(what)
    return found


def _outside(pattern: re.Pattern, text: str) -> str:
    """The text with the pattern's matches blanked out."""
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def _goals(text: str) -> list[str]:
    goals = []
    for match in _GOALS.finditer(text):
        goal = match.group("what") or match.group("prep") or match.group("for")
        goals.append(_TRAILING.sub("", goal.strip()).strip())
    return [g for g in goals if g]


def asked_language(message: str) -> str | None:
    """The language the message asks resources to be in ("in Chinese", "中文"), if it names one."""
    return next((lang for pattern, lang in _LANG_REQUEST if re.search(pattern, message, re.I)), None)


def extract(message: str, topic_matcher: Callable[[str], list[str]] | None = None) -> ProfileDelta:
    """The slots this message states outright; topics are catalog vocabulary found in it (minus known and gaps)."""
    liked, disliked = _formats(message)
    language = asked_language(message)
    device = next((dev for pattern, dev in _DEVICES if re.search(pattern, message, re.I)), None)
    granted = _outside(_ASSUMED, message)
    known, background = _spans(_KNOWN, granted), _spans(_BACKGROUND, granted)
    gaps, drops = _spans(_ASSUMED, message) + _spans(_GAPS, message), _spans(_DROPS, message)
    topics = topic_matcher(message) if topic_matcher else []
    if topic_matcher:
        # Name what is known, missing or taken back in the catalog's words, and keep it out of the targets.
        # Known and dropped things only count when they are catalog topics: "I write code" is not a subject.
        # "I build iOS apps in Swift every day and want Swift podcasts": named again, it is also what they want.
        again = {t.lower() for t in topic_matcher(_outside(_BACKGROUND, _outside(_KNOWN, message)))}
        known = [t for phrase in known for t in topic_matcher(phrase) if t.lower() not in again]
        background = [t for phrase in background for t in topic_matcher(phrase) if t.lower() not in again]
        gaps = [t for phrase in gaps for t in (topic_matcher(phrase) or [phrase])]
        drops = [t for phrase in drops for t in topic_matcher(phrase)]
        # "I've written Haskell for years, so skip the basics": a background and nothing else named is what they
        # want to go deeper into.
        if not [t for t in topics if t.lower() not in {p.lower() for p in known + background + gaps + drops}]:
            background = []
    known += [t for t in background if t not in known]
    aside = {p.lower() for p in known + gaps + drops}
    topics = [t for t in topics if t.lower() not in aside]
    return ProfileDelta(
        topics=topics,
        drop_topics=drops,
        known=known,
        gaps=gaps,
        goals=_goals(message),
        level=_level(message),
        formats=liked,
        avoid_formats=disliked,
        time_budget_minutes=_minutes(message),
        device=device,
        language=language or detect_language(message),
        free_only=True if _FREE.search(message) else None,
        narrows=bool(topics) and bool(_NARROWS.search(message)) and not _ADDS.search(message),
    )
