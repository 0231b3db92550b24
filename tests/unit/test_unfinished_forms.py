"""An /incident left unfinished in `secbot chat`: the next session asks "continue or cancel?"
instead of taking its first question as an answer, and after the expiry (SECBOT_FORM_EXPIRY_HOURS,
default 24 h) the report is gone and the first question is simply answered."""

from __future__ import annotations

import time

from tests.unit.test_incident_cli import env, incident_rows, secbot  # noqa: F401 - env is a fixture

QUESTION = "JC-STARとは何ですか"
ANSWER_WORDS = "JC-STAR"


def leave_a_report_unfinished(env: dict[str, str]) -> None:  # noqa: F811
    first = secbot(env, "chat", "--user", "taro", stdin="/incident\n1\n/quit\n")  # one answer, then gone
    assert first.returncode == 0, first.stderr
    assert "（2/" in first.stdout  # the walk is at its second question
    assert "入力途中の内容は保存しました" in first.stdout  # /quit says the draft is kept, not silence


def test_a_new_session_offers_to_continue_or_cancel_an_unfinished_report(env: dict[str, str]) -> None:  # noqa: F811
    leave_a_report_unfinished(env)
    second = secbot(env, "chat", "--user", "taro", stdin=f"{QUESTION}\n/quit\n")
    assert second.returncode == 0, second.stderr
    assert "報告途中のインシデントがあります" in second.stdout and "続ける" in second.stdout
    assert "キャンセル" in second.stdout
    assert "（3/" not in second.stdout  # the question was not taken as the second answer

    continued = secbot(env, "chat", "--user", "taro", stdin="1\n/quit\n")  # 1 = continue
    assert "（2/" in continued.stdout  # back at the question where it stopped

    cancelled = secbot(env, "chat", "--user", "taro", stdin="キャンセル\n" + f"{QUESTION}\n/quit\n")
    assert "中止しました" in cancelled.stdout
    third = secbot(env, "chat", "--user", "taro", stdin=f"{QUESTION}\n/quit\n")
    assert "報告途中" not in third.stdout and "IPA" in third.stdout
    assert incident_rows(env) == []


def test_an_unfinished_report_expires_and_the_first_question_is_answered(env: dict[str, str]) -> None:  # noqa: F811
    leave_a_report_unfinished(env)
    time.sleep(1.0)
    later = secbot({**env, "SECBOT_FORM_EXPIRY_HOURS": "0.0002"}, "chat", "--user", "taro",
                   stdin=f"{QUESTION}\n/quit\n")
    assert later.returncode == 0, later.stderr
    assert "報告途中" not in later.stdout and "（2/" not in later.stdout
    assert "IPA" in later.stdout  # answered as a question
    again = secbot(env, "chat", "--user", "taro", stdin=f"{QUESTION}\n/quit\n")  # default expiry: still gone
    assert "報告途中" not in again.stdout


def test_another_user_is_not_asked_about_someone_elses_report(env: dict[str, str]) -> None:  # noqa: F811
    leave_a_report_unfinished(env)
    other = secbot(env, "chat", "--user", "hanako", stdin=f"{QUESTION}\n/quit\n")
    assert "報告途中" not in other.stdout and "IPA" in other.stdout


def test_quitting_an_english_form_says_in_english_that_the_draft_is_kept(env: dict[str, str]) -> None:  # noqa: F811
    out = secbot(env, "chat", "--user", "jane", stdin="what is phishing?\n/incident\n1\n/quit\n")
    assert out.returncode == 0, out.stderr
    assert "kept as a draft" in out.stdout and "next time" in out.stdout
    done = secbot(env, "chat", "--user", "jane", stdin="cancel\n/quit\n")
    assert "kept as a draft" not in done.stdout  # nothing left to keep


def test_an_empty_line_in_the_middle_of_a_form_asks_the_same_question_again(env: dict[str, str]) -> None:  # noqa: F811
    out = secbot(env, "chat", "--user", "taro", stdin="/incident\n1\n\n/quit\n").stdout
    after_empty = out.split("（2/", 1)[1].split("（2/", 1)  # the second question, then asked again
    assert len(after_empty) == 2, out
    assert "インシデントの報告の途中です" in after_empty[0] and "「戻る」「キャンセル」" in after_empty[0]
    assert "メッセージが空でした" not in out  # not taken for an empty question to the Q&A


def test_an_empty_line_is_no_answer_in_a_checkup_either(env: dict[str, str]) -> None:  # noqa: F811
    checkup = secbot(env, "chat", "--user", "taro", stdin="/checkup\n\nACME\n\n/quit\n").stdout
    assert checkup.count("組織名") >= 2 and checkup.count("（1/20）") == 2 and "（2/20）" not in checkup


def test_leaving_a_form_before_answering_anything_keeps_no_draft(env: dict[str, str]) -> None:  # noqa: F811
    first = secbot(env, "chat", "--user", "taro", stdin="/incident\n/quit\n")
    assert first.returncode == 0, first.stderr
    assert "（1/" in first.stdout and "保存しました" not in first.stdout
    second = secbot(env, "chat", "--user", "taro", stdin=f"{QUESTION}\n/quit\n")
    assert "報告途中" not in second.stdout and "IPA" in second.stdout  # no empty report offered, the question answered
