"""What a message states outright becomes profile slots; what it does not say stays unknown."""

import pytest

from assistant.knowledge.topics import TopicMatcher, load_aliases
from assistant.profile.rules import extract
from assistant.profile.schema import LearnerProfile, ProfileDelta

MATCHER = TopicMatcher(["Machine Learning", "C++", "C", "Rust", "Misc", "Ruby", "Ruby on Rails", "Go", "Make",
                        "Bayes' rule", "decision trees", "Bayesian networks", "版本控制", "Git"])


def profile_after(*messages: str, matcher=None) -> LearnerProfile:
    profile = LearnerProfile(learner_id="t")
    for message in messages:
        profile = profile.merge(extract(message, matcher))
    return profile


def test_formats_levels_and_minutes_in_english():
    p = profile_after("I'm a total beginner with 20 minutes a day on my phone. Videos please.")
    assert p.level == "beginner" and p.time_budget_minutes == 20 and p.device == "phone"
    assert p.liked_formats == ["video"] and p.language == "en"


def test_negation_marks_a_format_as_avoided():
    p = profile_after("I prefer reading books over watching videos.")
    assert p.liked_formats == ["book"] and p.avoided_formats == ["video"]
    assert profile_after("No videos, please.").avoided_formats == ["video"]


def test_a_later_preference_replaces_an_earlier_one():
    p = profile_after("Videos would be great.", "Actually I'd rather have books, I read a lot.")
    assert p.liked_formats == ["book"]


def test_a_class_the_learner_takes_is_not_a_format_wish():
    assert profile_after("I need linear regression for my statistics class.").formats == {}


def test_chinese_messages():
    p = profile_after("我是零基础，每天半小时，想看中文的书。")
    assert p.language == "zh" and p.level == "beginner" and p.time_budget_minutes == 30 and p.liked_formats == ["book"]
    assert profile_after("团队在用版本控制", matcher=MATCHER).current_topics() == ["版本控制"]


def test_hours_and_words_for_numbers():
    assert profile_after("I have an hour a day").time_budget_minutes == 60
    assert profile_after("about 1.5 hours per session").time_budget_minutes == 90


def test_nothing_stated_means_unknown():
    p = profile_after("Tell me about compilers.")
    assert p.level == "unknown" and p.formats == {} and p.time_budget_minutes is None and p.device is None
    assert profile_after("I want the math behind computer science.").device is None


def test_topics_come_from_the_catalog_vocabulary_longest_first():
    assert MATCHER("I want machine learning in C++ and Rust, misc stuff") == ["Machine Learning", "C++", "Rust"]
    p = profile_after("Rust please", "now machine learning", matcher=MATCHER)
    assert p.topics["Machine Learning"] == 1.0 and p.topics["Rust"] < 1.0


def test_short_topic_names_need_their_spelling_and_a_cue():
    assert MATCHER("I want to learn Go") == ["Go"]
    assert MATCHER("Go ahead, tell me about Rust") == ["Rust"]
    assert MATCHER("I know some C and want Objective-C") == ["C"]


def test_what_the_learner_knows_is_not_a_target():
    d = extract("I'm an experienced C++ developer curious about Rust.", MATCHER)
    assert d.known == ["C++"] and d.topics == ["Rust"] and d.level == "advanced"
    d = extract("I know some Ruby and want to build web apps with Ruby on Rails.", MATCHER)
    assert d.known == ["Ruby"] and d.topics == ["Ruby on Rails"]


def test_stated_gaps_are_split_from_the_target():
    d = extract("I want to learn Bayesian networks, but I never understood Bayes' rule.", MATCHER)
    assert d.topics == ["Bayesian networks"] and d.gaps == ["Bayes' rule"]
    d = extract("Random forests come up at work. I don't know what a decision tree is yet.", MATCHER)
    assert d.gaps == ["decision trees"]


def test_delta_json_holds_only_stated_slots():
    d = extract("Books please, about Rust.", MATCHER)
    assert ProfileDelta.model_validate_json(d.to_json()) == d
    assert '"level"' not in d.to_json() and '"formats":["book"]' in d.to_json()


def test_knowing_a_topic_removes_it_from_targets_and_gaps():
    p = profile_after("I want Rust and Bayes' rule", matcher=MATCHER).merge(ProfileDelta(known=["Rust"]))
    assert "Rust" not in p.topics and p.known_topics == ["Rust"]


def test_a_topic_taken_back_leaves_the_profile():
    matcher = TopicMatcher(["PHP", "WordPress", "Scratch"])
    p = profile_after("I'd like to learn PHP for my WordPress blog.",
                      "Actually, scratch the PHP part. I want to build WordPress themes.", matcher=matcher)
    assert "PHP" not in p.topics and p.topics["WordPress"] == 1.0


def test_everyday_names_reach_catalog_topics():
    matcher = TopicMatcher(["Kubernetes", "PostgreSQL", "JavaScript", "Ruby on Rails"], load_aliases())
    assert matcher("everyone says k8s; our db is Postgres") == ["Kubernetes", "PostgreSQL"]
    assert matcher("JS and Rails") == ["JavaScript", "Ruby on Rails"]
    assert matcher("just saying") == []  # "JS" matches only in capitals


def test_a_chinese_name_in_an_english_sentence_keeps_it_english():
    assert extract("I know some 计算机图形学 and want to learn Rust.").language == "en"
    assert extract("我想学 Python，有中文资料吗？").language == "zh"


def test_everyday_words_that_are_topic_names_stay_words():
    from assistant.knowledge.topics import load_homonyms

    matcher = TopicMatcher(["Make", "Self", "Scratch", "Spring", "Scheme", "Rust", "C"], homonyms=load_homonyms())
    assert matcher("my daughter wants to make her own games") == []
    assert matcher("it has to be a self-hosted build server") == []
    assert matcher("scratch that, I meant Rust") == ["Rust"]
    assert matcher("the ICPC regional in spring") == []
    # Named as a subject they are topics: as the catalog writes them inside a sentence, after "learn", before "books".
    assert matcher("the new job is all Spring Boot") == ["Spring"]
    assert matcher("i want to learn scheme") == ["Scheme"]
    assert matcher("Make tutorials please") == ["Make"]
    assert matcher("thinking of picking up scheme on sundays") == ["Scheme"]
    assert matcher("getting into spring at my new job") == ["Spring"]


def test_what_the_learner_already_built_with_is_known_not_wanted():
    matcher = TopicMatcher(["WordPress", "C", "Verilog"])
    p = profile_after("ive built a handful of sites with WordPress so im not a total beginner", matcher=matcher)
    assert p.known_topics == ["WordPress"] and "WordPress" not in p.topics and p.level == "intermediate"
    assert profile_after("I know C but hardware languages are new to me", matcher=matcher).known_topics == ["C"]


def test_wishes_and_levels_stated_indirectly():
    assert profile_after("something I can read offline on my kindle").liked_formats == ["book"]
    assert profile_after("I want an actual course, I fall asleep reading docs").liked_formats == ["course"]
    p = profile_after("For C++ I like recorded lectures, or a podcast while I cook. Reading a 900-page book isn't going to happen.")
    assert p.liked_formats == ["video", "podcast"] and p.avoided_formats == ["book"]
    assert profile_after("有没有机器学习视频课？看书太枯燥了").avoided_formats == ["book"]
    assert profile_after("I'm doing a masters so rigorous is fine").level == "advanced"
    assert profile_after("I already write basic SELECTs, so skip the absolute-beginner material").level == "intermediate"
    assert profile_after("never really written javascript before").level == "beginner"
    assert profile_after("C++ 基础语法我已经会了，想找进阶一点的中文书").level == "intermediate"
    assert profile_after("about a quarter of an hour between meetings").time_budget_minutes == 15


def test_a_course_or_class_as_the_learners_situation_is_not_a_format_wish():
    matcher = TopicMatcher(["F Sharp", "C#", "Algebra"], {"F#": "F Sharp"})
    assert profile_after("brush up on algebra before an evening course starts", matcher=matcher).liked_formats == []
    assert profile_after("I can write scripts but my classes are a mess").liked_formats == []
    p = profile_after("want to learn F# bit by bit, i'm a C# dev", matcher=matcher)
    assert list(p.topics) == ["F Sharp"] and p.known_topics == ["C#"]


def test_a_correction_takes_the_old_topic_back():
    matcher = TopicMatcher(["Ember.js", "Backbone.js", "Gulp", "Webpack", "Angular", "AngularJS"],
                           {"ember": "Ember.js", "backbone": "Backbone.js"})
    assert list(profile_after("I need backbone.js for a legacy app", "oops, it's Ember, not Backbone. sorry!",
                              matcher=matcher).topics) == ["Ember.js"]
    assert list(profile_after("our build uses gulp", "actually gulp got replaced last year, it's webpack now",
                              matcher=matcher).topics) == ["Webpack"]
    assert list(profile_after("The modern Angular please, not the old AngularJS 1.x stuff.", matcher=matcher).topics) \
        == ["Angular"]


def test_years_of_practice_set_the_level_by_how_many():
    assert extract("I've got about ten years of C and C++ behind me.").level == "advanced"
    assert extract("I have 2 years of Python at work.").level == "intermediate"
    assert extract("做前端两年了，想系统学学工程化").level == "intermediate"
    assert extract("写 Java 八年了，想看看并发").level == "advanced"


def test_levels_people_imply_about_themselves():
    for message, level in [("EE freshman here, I get logic gates on paper", "beginner"),
                           ("I'm a junior dev, 8 months in.", "beginner"),
                           ("I've only done intro Java so far so go easy on me", "beginner"),
                           ("my daughter is 9 and wants to learn coding", "beginner"),
                           ("my algebra is completely gone", "beginner"),
                           ("求推荐中文教程，最好从基础讲起", "beginner"),
                           ("i know react pretty well already", "intermediate")]:
        assert extract(message).level == level, message


def test_levels_told_through_credentials_habits_and_how_long_one_has_done_it():
    for message, level in [("Physics PhD, I've done plenty of Monte Carlo", "advanced"),
                           ("I write MPI codes for a living", "advanced"),
                           ("php dev since the 5.2 days", "advanced"),
                           ("no need for hand-holding, the rigorous treatment is welcome", "advanced"),
                           ("3rd year CS, the theory module is kicking my butt", "intermediate"),
                           ("been doing linux admin for a while", "intermediate"),
                           ("I already use React every day at work", "intermediate"),
                           ("I'm past the beginner stage with PHP itself", "intermediate"),
                           ("Java 的基础语法已经掌握了，想往后端框架方向深入", "intermediate"),
                           ("first week as a DBA intern!!", "beginner"),
                           ("just finished an intro stats course", "beginner"),
                           ("我是文科生，一行代码都没写过", "beginner"),
                           ("3 yrs of JS, but starting from zero on the hardware side", "beginner"),
                           ("six years of C#, so intermediate-level material is fine", "intermediate")]:
        assert extract(message).level == level, message
    for message in ["self taught web dev, no CS degree", "above beginner level please",
                    "a PhD programme is my goal after this"]:
        assert extract(message).level in (None, "intermediate"), message


def test_exercises_as_a_feature_of_a_book_or_course_are_not_a_wish_for_interactive():
    assert extract("small exercises where i fix broken code and it tells me what's wrong").formats == ["interactive"]
    assert extract("a proper structured course, modules and exercises").formats == ["course"]
    assert extract("something I can print out and scribble all over, with exercises").formats == ["book"]
    assert extract("I need to poke at a real system and type commands as I go").formats == ["interactive"]


def test_heard_that_is_not_a_wish_to_listen():
    assert extract("想学 Ruby，听说写起来很舒服。有没有中文的书？").formats == ["book"]
    assert extract("我喜欢听，通勤的时候听").formats == ["podcast"]


def test_recorded_lectures_are_videos_not_a_course():
    p = extract("recorded university lectures would be ideal, or proper textbooks. not podcasts though")
    assert sorted(p.formats) == ["book", "video"] and p.avoid_formats == ["podcast"]


def test_an_intro_already_taken_is_known():
    p = extract("I've only done intro Java so far", TopicMatcher(["Java", "Standard ML"]))
    assert p.known == ["Java"] and p.topics == []


@pytest.mark.parametrize("message", [
    "Saw a video of Conway's game of life last night and got hooked.",
    "Podcasts keep mentioning models of computation and I'd like to study that side of CS.",
    "How can my bank and I agree on a secret when anybody could be listening in?",
    "the simplest algorithm that learns to draw a line between two classes",
    "F# keeps popping up in conference talks.",
    "I've done a PhD-level stats course.",
])
def test_a_format_word_in_a_story_or_in_another_sense_is_not_a_wish(message):
    assert extract(message).formats == []


@pytest.mark.parametrize("message, formats", [
    ("Any programming podcasts worth listening to?", ["podcast"]),
    ("videos if you have them, im more of a watcher", ["video"]),
    ("Books or online courses are both fine with me, just no podcasts please.", ["book", "course"]),
    ("I'd like a proper structured course, modules and exercises", ["course"]),
    ("i learn by doing, so exercises i can type into and try, not lectures", ["interactive"]),
    ("有没有中文的书", ["book"]),
])
def test_a_format_asked_for_or_described_as_a_habit_is_a_wish(message, formats):
    assert extract(message).formats == formats


def test_a_negation_ends_at_a_dash():
    p = extract("honestly I'd rather read than watch - books or written tutorials.")
    assert p.formats == ["book"] and p.avoid_formats == ["video"]


def test_a_name_ends_at_a_full_stop_when_it_is_taken_back():
    p = extract("So it's Objective-C, not Swift. Objective-C resources please.",
                TopicMatcher(["Objective-C", "Swift"]))
    assert p.drop_topics == ["Swift"] and p.topics == ["Objective-C"]


@pytest.mark.parametrize("message, level", [
    ("been hacking on my emacs config in elisp for like 10 years", "advanced"),
    ("I have been learning for 2 years", "intermediate"),
    ("i did a couple of tutorials already so i'm past hello world", "intermediate"),
    ("rust 的官方入门我已经看完了，基础语法没问题，想找中文资料深入学一下所有权", "intermediate"),
    ("I went through the tutorial and built a small todo app, so the basics are there", "intermediate"),
    ("Spreadsheets are all I know; databases of any kind are new territory for me", "beginner"),
    ("My first statistics course ever, so please nothing too heavy", "beginner"),
    ("I studied economics, not maths, so feel free to go hard on it", "advanced"),
    ("Starting from absolute zero here", "beginner"),
    ("I've never even held a soldering iron", "beginner"),
    ("Neither of us has written code before", "beginner"),
    ("I don't even get recursion yet", "beginner"),
    ("做后端三四年了，想系统学一下分布式", "intermediate"),  # a range of years counts as its lower end
])
def test_more_ways_of_stating_a_level(message, level):
    assert extract(message).level == level


def test_skipped_lectures_are_a_gap():
    assert extract("But I skipped the row reduction lectures, so I'm lost").gaps == ["row reduction lectures"]


@pytest.mark.parametrize("message, minutes", [("每天地铁通勤单程大概四十分钟", 40), ("十五分钟", 15), ("两个半小时", 150)])
def test_chinese_numerals_of_any_size_give_the_budget(message, minutes):
    assert extract(message).time_budget_minutes == minutes


@pytest.mark.parametrize("message, liked, avoided", [
    ("Lecture recordings or screencasts, doesn't matter", ["video"], []),
    ("Podcasts or screencasts, either is good. Reading makes me carsick.", ["podcast", "video"], ["book"]),
    ("想学安卓开发，求几本中文的书，视频就不用了。", ["book"], ["video"]),
])
def test_more_ways_of_stating_formats(message, liked, avoided):
    p = extract(message)
    assert sorted(p.formats) == sorted(liked) and p.avoid_formats == avoided


@pytest.mark.parametrize("message, level", [
    ("I'm not new to backend work, I maintain two services", "intermediate"),
    ("graph theory basics I'm fine with, so not from zero", "intermediate"),
    ("I'm comfortable with SQL joins already", "intermediate"),
    ("finished a data bootcamp last year and built a dashboard since", "intermediate"),
    ("skip the 'what is a variable' chapters please", "intermediate"),
    ("I teach statistics at university and want a rigorous treatment", "advanced"),
    ("please don't dumb it down", "advanced"),
    ("total begginer here", "beginner"),
    ("on the coding side I'm starting from nothing", "beginner"),
    ("I barely know how a for loop works", "beginner"),
    ("none of my team has ever programmed", "beginner"),
    ("数据库我从来没学过", "beginner"),
    ("I'm fine with videos", None),
])
def test_levels_stated_by_what_the_learner_is_at_ease_with_or_lacks(message, level):
    assert extract(message).level == level


def test_what_the_learner_is_at_ease_with_is_known_either_way_round():
    matcher = TopicMatcher(["Linear Algebra", "Calculus", "Haskell"])
    assert extract("Calculus and Linear Algebra I'm comfortable with", matcher).known == ["Calculus", "Linear Algebra"]
    assert extract("I'm ok with Haskell, so skip the intro", matcher).known == ["Haskell"]


@pytest.mark.parametrize("message, liked, avoided", [
    ("my coworkers swear by youtube but I prefer books", ["book"], []),
    ("朋友都推荐看视频，但我还是想要书", ["book"], []),
    ("Java 的书就行，视频我看着容易走神", ["book"], ["video"]),
    ("recorded lessons where I can see it being done", ["video"], []),
    ("university lectures I can watch on my own time, the slides alone are hopeless", ["video"], []),
    ("something written, please", ["book"], []),
    ("I can write code but the theory is a mystery to me", [], []),
    ("our ML course uses scikit-learn", [], []),
    ("I never get past chapter two of any textbook, so videos", ["video"], ["book"]),
])
def test_formats_others_recommend_or_statements_about_oneself_are_not_wishes(message, liked, avoided):
    p = extract(message)
    assert sorted(p.formats) == sorted(liked) and p.avoid_formats == avoided


@pytest.mark.parametrize("message, minutes", [
    ("tutorials please, no 3 hour videos. about 20 min at a time is what I have", 20),
    ("the course runs for 12 hours, I have 45 minutes a day", 45),
    ("no 2 hour lectures please", None),
])
def test_a_length_refused_or_told_is_not_the_budget(message, minutes):
    assert extract(message).time_budget_minutes == minutes


def test_a_name_refused_at_the_start_of_a_sentence_is_taken_back():
    p = extract("I want the agentless tool that pushes config over ssh. NOT Terraform, nothing gets created.",
                TopicMatcher(["Terraform", "Ansible"]))
    assert p.drop_topics == ["Terraform"] and "Terraform" not in p.topics


@pytest.mark.parametrize("message, liked, avoided", [
    ("I bike an hour each way, so screens and pages are out. Something to listen to?", ["podcast"], []),
    ("I learn by doing; reading three chapters before typing a single line never works for me", ["interactive"], ["book"]),
    ("I can't retain anything from just reading, so hands-on please", ["interactive"], ["book"]),
])
def test_habits_and_refusals_said_in_passing(message, liked, avoided):
    p = extract(message)
    assert sorted(p.formats) == sorted(liked) and sorted(p.avoid_formats) == sorted(avoided)


@pytest.mark.parametrize("message, level", [
    ("I know git add and commit and that's about it", "beginner"),
    ("so far I've been copying snippets off forums into my config", "beginner"),
])
def test_what_little_the_learner_knows_makes_a_beginner(message, level):
    assert extract(message).level == level


def test_two_clock_times_close_together_are_the_budget():
    assert extract("My bus leaves at 8:05 and gets in at 8:35, that's when I study").time_budget_minutes == 30
    assert extract("I work from 9:00 until 17:30").time_budget_minutes is None


def test_a_course_already_taken_is_experience_not_a_format_wish():
    p = extract("did an intro python course last year and now I want to get good at pandas",
                TopicMatcher(["Python", "Pandas"]))
    assert p.formats == [] and p.known == ["Python"] and p.topics == ["Pandas"]
    assert extract("I have gaps between lectures that I'd like to use").formats == []


def test_a_tool_called_the_wrong_one_is_taken_back():
    p = extract("my tutor says k-means is the wrong tool for this", TopicMatcher(["k-means"]))
    assert p.drop_topics == ["k-means"] and p.topics == []


def test_everything_the_learner_is_comfortable_with_is_known():
    p = extract("I'm comfortable with Calculus and Linear Algebra already.", TopicMatcher(["Calculus", "Linear Algebra"]))
    assert sorted(p.known) == ["Calculus", "Linear Algebra"] and p.topics == []


def test_comfortable_with_at_the_start_of_a_clause_needs_no_subject_but_not_comfortable_is_no_knowledge():
    matcher = TopicMatcher(["Kalman filter", "particle filter"])
    p = extract("PhD in control theory, very comfortable with Kalman filter. I want the particle filter", matcher)
    assert p.known == ["Kalman filter"] and p.topics == ["particle filter"]
    assert extract("I'm not comfortable with Kalman filter yet", matcher).known == []


@pytest.mark.parametrize("message, liked, avoided", [
    ("I need it on video, reading the textbook on my own just isnt clicking", ["video"], ["book"]),
    ("Reading docs makes my eyes glaze over; a video course I can follow would be best", ["video"], ["book"]),
    ("Short video crash courses suit me", ["video"], []),
    ("actually no, scrap the videos. books would be far more useful", ["book"], ["video"]),
    ("I need to click around on my own, not watch somebody else do it", ["interactive"], ["video"]),
])
def test_formats_turned_down_by_how_they_feel_or_taken_back(message, liked, avoided):
    p = extract(message)
    assert p.formats == liked and p.avoid_formats == avoided


@pytest.mark.parametrize("message, level", [
    ("Eight months into my first developer job, no idea how people go from junior to senior", "beginner"),
    ("I already know grep, so the not-total-beginner level is fine", "intermediate"),
    ("I've tweaked loaders before so I'm not clueless", "intermediate"),
    ("should mention I'm not techy at all", "beginner"),
    ("partial derivatives are a complete mystery to me", "beginner"),
    ("I've never opened a notebook myself", "beginner"),
    ("基础语法还记得，就是不熟练", "intermediate"),
    ("HTML 和 CSS 一点都不会", "beginner"),
    ("Dense, proof-heavy texts are fine, so skip anything that holds my hand", "advanced"),
])
def test_levels_stated_by_how_far_along_the_learner_is(message, level):
    assert extract(message).level == level


def test_a_half_hour_is_thirty_minutes():
    assert extract("I get a half-hour lunch break").time_budget_minutes == 30


@pytest.mark.parametrize("message, known", [
    ("I've only ever written Java and a little Python, nothing functional like Rust", ["Java", "Python"]),
    ("literally never seen cobol, my whole background is javascript", ["JavaScript"]),
    ("react dev here, we're migrating our app to Android", ["React"]),
    ("I've been writing multithreaded C++ for HPC simulations for about a decade. Rust?", ["C++"]),
    ("写了五年 C++，最近想转 Rust", ["C++"]),
    ("我一直写 Java 后端，Android 这块完全是新手", ["Java"]),
])
def test_a_background_told_as_a_story_is_known_not_asked_for(message, known):
    matcher = TopicMatcher(["Java", "Python", "JavaScript", "React", "C++", "Rust", "Android", "COBOL"])
    p = extract(message, matcher)
    assert p.known == known and not set(known) & set(p.topics)


@pytest.mark.parametrize("message, dropped", [
    ("We're moving our Android code from Java to Kotlin", ["Java"]),
    ("I want to learn Nim, python-ish syntax", ["Python"]),
    ("something friendlier than raw assembly", ["Assembly"]),
    ("Tried React, found it way too much boilerplate", ["React"]),
    ("Django looked like overkill for three endpoints", ["Django"]),
    ("团队要从 Vue 迁到 React 了", ["Vue"]),
    ("不好意思打错了，是 C 语言，不是 C#。", ["C#"]),
])
def test_what_the_learner_leaves_or_only_compares_with_is_not_asked_for(message, dropped):
    matcher = TopicMatcher(["Java", "Kotlin", "Android", "Python", "Assembly", "React", "Django", "Vue", "Nim", "C#"])
    assert extract(message, matcher).drop_topics == dropped


@pytest.mark.parametrize("message, dropped", [
    ("run it on the card directly, not through some python library", ["Python"]),
    ("a method that separates independent sources (it's not PCA, I already know PCA)", ["PCA"]),
])
def test_a_way_or_a_name_ruled_out_with_not_is_not_asked_for(message, dropped):
    p = extract(message, TopicMatcher(["Python", "PCA", "CUDA"]))
    assert p.drop_topics == dropped and not set(dropped) & set(p.topics)


def test_a_background_with_nothing_else_named_is_what_the_learner_goes_deeper_into():
    matcher = TopicMatcher(["Haskell", "Elm"])
    p = extract("I've written Haskell professionally for a few years, so skip the basics", matcher)
    assert p.topics == ["Haskell"] and p.known == []
    p = extract("I've written Haskell professionally for a few years, now I want Elm", matcher)
    assert p.topics == ["Elm"] and p.known == ["Haskell"]


@pytest.mark.parametrize("message, level", [
    ("Been a linux sysadmin for ~12 yrs", "advanced"),
    ("I write C++ physics simulations for a living, 10+ years now", "advanced"),
    ("c# dev for 3 yrs, mostly asp.net apis", "intermediate"),
    ("I did Angular for 6 years so frameworks in general are fine", "advanced"),
    ("I've written Go professionally for 4 years", "advanced"),
    ("i build react web apps at work, comfortable with hooks, context etc.", "intermediate"),
    ("I write SQL all day as a data analyst", "intermediate"),
    ("career changer here (I was a nurse for 9 years), zero coding so far", "beginner"),
    ("I'm not a maths person and never studied any of this", "beginner"),
])
def test_levels_from_years_and_daily_use_however_they_are_written(message, level):
    assert extract(message).level == level


@pytest.mark.parametrize("message, liked, avoided", [
    ("I learn way better watching lectures than reading.", ["video"], ["book"]),
    ("Written docs or an ebook, I skim text much faster than any video.", ["book"], ["video"]),
])
def test_formats_preferred_by_comparison(message, liked, avoided):
    p = extract(message)
    assert p.formats == liked and p.avoid_formats == avoided


@pytest.mark.parametrize("message, narrows", [
    ("Let me narrow that down: the Lisp inside Emacs.", True),
    ("to clarify, i dont care about android itself, i want to understand gradle", True),
    ("scratch that, it's all .m files. objective-c, not swift", True),
    ("不好意思打错了，是 C 语言", True),
    ("Actually I'd also like some Emacs Lisp", False),  # adds to the request
    ("I want to learn Emacs Lisp", False),
])
def test_a_message_that_narrows_or_corrects_the_request_says_so(message, narrows):
    matcher = TopicMatcher(["Lisp", "Emacs", "Gradle", "Android", "Objective-C", "Swift", "C"])
    assert extract(message, matcher).narrows is narrows


@pytest.mark.parametrize("message, gaps, known", [
    ("every tutorial says use a particle filter, but they all assume i know importance sampling, which i don't",
     ["importance sampling"], []),
    ("the course assumes you know Python and I really don't", ["Python"], []),
    ("the course assumes you know Python, which I do, and I know SQL", [], ["SQL"]),
])
def test_what_others_take_for_granted_and_the_learner_denies_is_a_gap(message, gaps, known):
    delta = extract(message, TopicMatcher(["importance sampling", "particle filter", "Python", "SQL"]))
    assert delta.gaps == gaps and delta.known == known


@pytest.mark.parametrize("message, level", [
    ("total newcomer here, i'm just hooked", "beginner"),
    ("keep it basic, my stats is high-school level at best", "beginner"),
    ("starting from near zero in stats honestly", "beginner"),
    ("fresh grad, never saw a line of cobol in my life", "beginner"),
    ("之前完全没编过程，想寒假预习", "beginner"),
    ("I'm past the absolute basics, but I'd like something to read cover to cover", "intermediate"),
    ("I've poked at it a bit already, so not the very first steps.", "intermediate"),
    ("平时写 Ruby，不用太基础的，语法入门那些可以跳过", "intermediate"),
    ("I have a maths degree so please don't give me the dumbed-down version", "advanced"),
    ("I'm a maths PhD student, so rigour is welcome.", "advanced"),
    ("self taught web dev here, no CS degree", None),
    ("I start a CS degree next year", None),
])
def test_levels_told_by_how_little_or_how_much_the_learner_has_behind_them(message, level):
    assert extract(message).level == level


@pytest.mark.parametrize("message, liked", [
    ("i absorb stuff way better watching someone build a thing on screen than reading docs", ["video"]),
    ("I need to see someone build it step by step, the docs alone aren't cutting it.", ["video"]),
    ("pdfs i can read offline on the train pls", ["book"]),
    ("paper books suit me best for this kind of thing", ["book"]),
    ("any good papers on this?", ["paper"]),
])
def test_formats_told_by_watching_someone_work_or_by_the_file_or_paper_they_come_on(message, liked):
    assert extract(message).formats == liked


def test_a_concept_called_by_its_other_textbook_name_is_the_catalog_concept():
    matcher = TopicMatcher(["LU factorization", "Gaussian elimination", "statistical hypothesis testing"], load_aliases())
    delta = extract("homework wants an LU decomposition and I have to understand p-values for my thesis", matcher)
    assert set(delta.topics) == {"LU factorization", "statistical hypothesis testing"}


@pytest.mark.parametrize("message, liked, avoided", [
    ("I want one full course I can follow to the end. Please don't throw books at me.", ["course"], ["book"]),
    ("Something where I code along in the browser? Books, not so much.", ["interactive"], ["book"]),
    ("Anything I could listen to? Audio only: screencasts are useless when I can't look at a screen.",
     ["podcast"], ["video"]),
    ("i retain way more from watching video lessons than from reading docs", ["video"], ["book"]),
    ("The train ride is ~40 min each way and I'd watch videos on it.", ["video"], []),
])
def test_formats_pushed_away_in_passing_or_wished_for_as_what_the_learner_would_do(message, liked, avoided):
    delta = extract(message)
    assert (delta.formats, delta.avoid_formats) == (liked, avoided)


@pytest.mark.parametrize("message, level, minutes", [
    ("I can put in a couple of hours a night.", None, 120),
    ("I get one focused hour each evening once the baby's asleep.", None, 60),
    ("I have zero hardware background.", "beginner", None),
    ("we have about 20 minutes after homework, and i know nothing about coding either lol", "beginner", 20),
])
def test_budgets_counted_in_couples_and_levels_told_by_what_the_learner_lacks(message, level, minutes):
    delta = extract(message)
    assert (delta.level, delta.time_budget_minutes) == (level, minutes)


def test_a_language_asked_for_beats_one_mentioned_in_passing():
    message = "actually English is fine, the Chinese translations are always outdated. English resources please."
    assert extract(message).language == "en"
    assert extract("Any Chinese books on Rust?").language == "zh"
