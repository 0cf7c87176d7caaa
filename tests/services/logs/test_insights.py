"""Logs Insights: StartQuery then GetQueryResults with fields (expressions and aliases), display,
filter, parse, stats (bin() time series, several stats in a row), sort, dedup and limit, comments,
the fields of Lambda REPORT lines, rows of {field, value} with @ptr, and the query's errors."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.services.logs.support import error_of, now_ms, unique


@pytest.fixture
def app_logs(logs: Any, group: str) -> str:
    base = now_ms() - 60_000
    for stream, offset in (("web", 0), ("worker", 1)):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
            {"timestamp": base + offset + 10 * i,
             "message": json.dumps({"level": "ERROR" if i % 2 else "INFO", "latency": 100 * i, "n": f"{stream}{i}"})}
            for i in range(5)])
    return group


def run(logs: Any, group: str, query: str, **kwargs: Any) -> dict[str, Any]:
    now = int(time.time())
    query_id = logs.start_query(logGroupName=group, startTime=now - 3600, endTime=now + 60, queryString=query, **kwargs)["queryId"]
    return run_to_end(logs, query_id)


def run_to_end(logs: Any, query_id: str) -> dict[str, Any]:
    for _ in range(50):
        answer = logs.get_query_results(queryId=query_id)
        if answer["status"] == "Complete":
            return answer
        time.sleep(0.1)
    raise AssertionError("the query did not complete")


def rows(answer: dict[str, Any]) -> list[dict[str, str]]:
    return [{f["field"]: f["value"] for f in row} for row in answer["results"]]


def test_fields_filter_sort_limit(logs: Any, app_logs: str) -> None:
    answer = run(logs, app_logs, "fields @timestamp, @message, n | filter @message like /ERROR/ | sort @timestamp desc | limit 3")
    got = rows(answer)
    assert [r["n"] for r in got] == ["worker3", "web3", "worker1"]
    assert set(got[0]) == {"@timestamp", "@message", "n", "@ptr"}
    assert len(got[0]["@timestamp"]) == len("2024-01-01 00:00:00.000")
    assert answer["statistics"]["recordsMatched"] == 4 and answer["statistics"]["recordsScanned"] == 10


def test_filter_on_json_fields_and_comparisons(logs: Any, app_logs: str) -> None:
    got = rows(run(logs, app_logs, 'fields n | filter level = "INFO" and latency >= 200 | sort n asc'))
    assert [r["n"] for r in got] == ["web2", "web4", "worker2", "worker4"]


def test_stats_count_by_field(logs: Any, app_logs: str) -> None:
    got = rows(run(logs, app_logs, "stats count(*) as events, max(latency) by level | sort level"))
    assert got == [{"level": "ERROR", "events": "4", "max(latency)": "300"},
                   {"level": "INFO", "events": "6", "max(latency)": "400"}]


def test_log_record_of_a_pointer(logs: Any, app_logs: str) -> None:
    [row] = rows(run(logs, app_logs, "fields n | filter n = 'web1'"))
    record = logs.get_log_record(logRecordPointer=row["@ptr"])["logRecord"]
    assert record["n"] == "web1" and record["@logStream"] == "web"


def test_query_errors(logs: Any, group: str) -> None:
    now = int(time.time())
    assert error_of(logs.start_query, logGroupName=unique("none"), startTime=now - 60, endTime=now,
                    queryString="fields @message")[0] == "ResourceNotFoundException"
    assert error_of(logs.start_query, logGroupName=group, startTime=now - 60, endTime=now,
                    queryString="frobnicate everything")[0] == "MalformedQueryException"
    assert error_of(logs.start_query, logGroupName=group, startTime=now, endTime=now - 60,
                    queryString="fields @message")[0] == "InvalidParameterException"
    assert error_of(logs.get_query_results, queryId="00000000-0000-0000-0000-000000000000")[0] == "ResourceNotFoundException"


def test_stats_by_bin_groups_by_time_bucket(logs: Any, group: str) -> None:
    """`stats count(*) by bin(5m)`: one row per 5-minute bucket of @timestamp, the field named bin(5m)
    and its value the bucket's start, written as @timestamp is; unless sorted, the latest bucket first."""
    bucket = (now_ms() - 1_800_000) // 300_000 * 300_000
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[
        {"timestamp": bucket + offset, "message": f"m{offset}"} for offset in (1_000, 2_000, 301_000)])
    got = rows(run(logs, group, "stats count(*) by bin(5m) | sort bin(5m)"))
    first = time.strftime("%Y-%m-%d %H:%M:%S.000", time.gmtime(bucket / 1000))
    second = time.strftime("%Y-%m-%d %H:%M:%S.000", time.gmtime(bucket / 1000 + 300))
    assert got == [{"bin(5m)": first, "count(*)": "2"}, {"bin(5m)": second, "count(*)": "1"}]
    assert rows(run(logs, group, "stats count(*) by bin(5m)")) == [
        {"bin(5m)": second, "count(*)": "1"}, {"bin(5m)": first, "count(*)": "2"}]  # unsorted: latest first
    named = rows(run(logs, group, "stats count(*) as n by bin(1h) as hour"))
    assert sum(int(r["n"]) for r in named) == 3 and all(r["hour"].endswith(":00:00.000") for r in named)


def test_a_lambda_report_lines_fields_are_discovered(logs: Any, group: str) -> None:
    """Insights discovers @type, @requestId, @duration, @billedDuration, @memorySize and @maxMemoryUsed
    (in bytes) in a Lambda REPORT line, so AWS's sample Lambda queries run on them."""
    logs.create_log_stream(logGroupName=group, logStreamName="2024/01/01/[$LATEST]abc")
    logs.put_log_events(logGroupName=group, logStreamName="2024/01/01/[$LATEST]abc", logEvents=[
        {"timestamp": now_ms() - 2000, "message": "START RequestId: r-1 Version: $LATEST\n"},
        {"timestamp": now_ms() - 1000, "message": "REPORT RequestId: r-1\tDuration: 12.50 ms\tBilled Duration: 13 ms\t"
                                                   "Memory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 80.25 ms\t\n"},
        {"timestamp": now_ms(), "message": "REPORT RequestId: r-2\tDuration: 2.50 ms\tBilled Duration: 3 ms\t"
                                           "Memory Size: 128 MB\tMax Memory Used: 42 MB\t\n"}])
    got = rows(run(logs, group, 'filter @type = "REPORT" | fields @requestId, @billedDuration | sort @duration desc'))
    assert [(r["@requestId"], r["@billedDuration"]) for r in got] == [("r-1", "13"), ("r-2", "3")]
    stats = rows(run(logs, group, 'filter @type = "REPORT" | stats avg(@duration), max(@maxMemoryUsed), '
                                  'max(@memorySize), count(@initDuration)'))
    assert stats == [{"avg(@duration)": "7.5", "max(@maxMemoryUsed)": "42000000", "max(@memorySize)": "128000000",
                      "count(@initDuration)": "1"}]


def test_parse_extracts_fields_with_a_glob_or_a_regex(logs: Any, group: str) -> None:
    """parse: a glob's * or a regex's named groups become fields; an event it does not match stays
    in the results without them."""
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[
        {"timestamp": now_ms() - 2, "message": "user=ana, method:GET, latency := 30"},
        {"timestamp": now_ms() - 1, "message": "user=bob, method:PUT, latency := 10"},
        {"timestamp": now_ms(), "message": "unrelated"}])
    got = rows(run(logs, group, 'parse @message "user=*, method:*, latency := *" as @user, @method, @latency '
                                "| fields @user, @method, @latency | sort @timestamp asc"))
    assert [{k: v for k, v in r.items() if k != "@ptr"} for r in got] == [
        {"@user": "ana", "@method": "GET", "@latency": "30"}, {"@user": "bob", "@method": "PUT", "@latency": "10"}, {}]
    by_regex = rows(run(logs, group, "parse @message /user=(?<user2>.*?), method:(?<method2>.*?),/ "
                                     "| filter ispresent(user2) | stats count(*) by method2 | sort method2"))
    assert by_regex == [{"method2": "GET", "count(*)": "1"}, {"method2": "PUT", "count(*)": "1"}]


def test_a_hash_starts_a_comment(logs: Any, app_logs: str) -> None:
    """A query may hold comments: `#` to the end of the line (outside quotes and regexes)."""
    query = '# errors only\nfields n  # the name\n| filter level = "ERROR" # and nothing else\n| sort n\n| limit 2'
    assert [r["n"] for r in rows(run(logs, app_logs, query))] == ["web1", "web3"]


def test_fields_and_stats_take_expressions_and_aliases(logs: Any, app_logs: str) -> None:
    """fields computes arithmetic and functions, named by `as` or by their text; an aggregate takes an
    expression too (as AWS's sample Lambda memory query does: max(@memorySize / 1000 / 1000))."""
    got = rows(run(logs, app_logs, "filter n = 'web3' | fields n as name, latency / 100 + 1 as step, "
                                   "toupper(substr(n, 0, 3)), strlen(n) * 2 as twice"))
    assert [{k: v for k, v in r.items() if k != "@ptr"} for r in got] == [
        {"name": "web3", "step": "4", "toupper(substr(n, 0, 3))": "WEB", "twice": "8"}]
    stats = rows(run(logs, app_logs, "stats max(latency / 100) as top, count_distinct(level), sum(latency * 2) by level"
                                     " | sort level"))
    assert stats == [{"level": "ERROR", "top": "3", "count_distinct(level)": "1", "sum(latency * 2)": "1600"},
                     {"level": "INFO", "top": "4", "count_distinct(level)": "1", "sum(latency * 2)": "2400"}]


def test_display_shows_only_its_fields(logs: Any, app_logs: str) -> None:
    """display chooses the fields shown: those of the last display command, whatever fields selected."""
    got = rows(run(logs, app_logs, "fields @timestamp, @message, n, level | display level | display n, latency "
                                   "| filter n = 'web2'"))
    assert [{k: v for k, v in r.items() if k != "@ptr"} for r in got] == [{"n": "web2", "latency": "200"}]


def test_filter_takes_function_calls(logs: Any, app_logs: str) -> None:
    """A filter compares (or tests) the result of a function, as in 'filter strlen(@message) > 100'."""
    got = rows(run(logs, app_logs, "filter strlen(n) > 4 and toupper(level) = 'ERROR' | fields n | sort n"))
    assert [r["n"] for r in got] == ["worker1", "worker3"]
    assert [r["n"] for r in rows(run(logs, app_logs, 'filter strcontains(n, "b4") | fields n'))] == ["web4"]


def test_stats_percentiles_deviation_and_first_last_values(logs: Any, app_logs: str) -> None:
    """stats takes pct(field, percentile), stddev, and earliest/latest (by @timestamp) and
    sortsFirst/sortsLast (by value) of a field."""
    [got] = rows(run(logs, app_logs, "filter @logStream = 'web' | stats pct(latency, 50), pct(latency, 95), "
                                     "stddev(latency), earliest(n), latest(n), sortsFirst(level), sortsLast(level)"))
    assert got["pct(latency, 50)"] == "200" and got["pct(latency, 95)"] == "400"
    assert float(got["stddev(latency)"]) == pytest.approx(158.11, abs=0.01)
    assert (got["earliest(n)"], got["latest(n)"]) == ("web0", "web4")
    assert (got["sortsFirst(level)"], got["sortsLast(level)"]) == ("ERROR", "INFO")


def test_dedup_keeps_the_first_result_of_each_value(logs: Any, app_logs: str) -> None:
    """dedup keeps one result per value, the first in sort order (newest first unless sorted); only
    limit may follow it."""
    got = rows(run(logs, app_logs, "fields level, n | dedup level"))
    assert [(r["level"], r["n"]) for r in got] == [("INFO", "worker4"), ("ERROR", "worker3")]
    got = rows(run(logs, app_logs, "fields level, n | sort n asc | dedup level | limit 1"))
    assert [(r["level"], r["n"]) for r in got] == [("INFO", "web0")]
    now = int(time.time())
    assert error_of(logs.start_query, logGroupName=app_logs, startTime=now - 60, endTime=now,
                    queryString="dedup level | sort n")[0] == "MalformedQueryException"


def test_a_second_stats_or_a_filter_works_on_the_first_stats_results(logs: Any, app_logs: str) -> None:
    """Commands after stats see its results: a filter keeps some of its rows, a second stats
    aggregates them (CWL_QuerySyntax-Stats, 'Use multiple stats commands in a single query')."""
    got = rows(run(logs, app_logs, "stats count(*) as c, sum(latency) as total by level | filter total > 800"))
    assert got == [{"level": "INFO", "c": "6", "total": "1200"}]
    again = rows(run(logs, app_logs, "stats count(*) as c by @logStream, level | stats avg(c) as mean, max(c) by level "
                                     "| sort level"))
    assert again == [{"level": "ERROR", "mean": "2", "max(c)": "2"}, {"level": "INFO", "mean": "3", "max(c)": "3"}]


def test_a_regex_that_does_not_compile_is_a_malformed_query(logs: Any, group: str) -> None:
    """A /regex/ of filter or parse that does not compile: MalformedQueryException, not a server error."""
    now = int(time.time())
    for query in ("filter @message like /(/", "filter @message =~ /[/", "parse @message /(?<a>x/"):
        assert error_of(logs.start_query, logGroupName=group, startTime=now - 60, endTime=now,
                        queryString=query)[0] == "MalformedQueryException"


def test_parentheses_nested_too_deep_are_a_malformed_query(logs: Any, group: str) -> None:
    """A query within the length limit whose parentheses nest deeper than the parser follows:
    MalformedQueryException, not a server error."""
    now = int(time.time())
    for inner in ("a = 1", "a + 1 = 2"):
        query = "filter " + "(" * 1500 + inner + ")" * 1500
        assert error_of(logs.start_query, logGroupName=group, startTime=now - 60, endTime=now,
                        queryString=query)[0] == "MalformedQueryException"


def test_filter_takes_arithmetic(logs: Any, app_logs: str) -> None:
    """Arithmetic operators work in filter too ('filter @maxMemoryUsed / @memorySize > 0.8')."""
    got = rows(run(logs, app_logs, "filter latency / 100 + 1 >= 4 and latency % 200 = 0 | fields n | sort n"))
    assert [r["n"] for r in got] == ["web4", "worker4"]
    assert [r["n"] for r in rows(run(logs, app_logs, "filter latency - 300 = 0 | fields n | sort n"))] == ["web3", "worker3"]


def test_a_parenthesised_operand_is_not_taken_for_a_group_of_conditions(logs: Any, app_logs: str) -> None:
    """In filter, '(' opens a group of conditions or an arithmetic operand: '(latency + 100) * 2 = 600'
    compares a value, '(level = "INFO" or n = "web1") and latency > 100' groups conditions."""
    got = rows(run(logs, app_logs, "filter (latency + 100) * 2 = 600 | fields n | sort n"))
    assert [r["n"] for r in got] == ["web2", "worker2"]
    got = rows(run(logs, app_logs, "filter 2 * (latency - 100) >= 600 | fields n | sort n"))
    assert [r["n"] for r in got] == ["web4", "worker4"]
    got = rows(run(logs, app_logs, 'filter (level = "INFO" or n = "web1") and latency > 100 | fields n | sort n'))
    assert [r["n"] for r in got] == ["web2", "web4", "worker2", "worker4"]
    got = rows(run(logs, app_logs, 'filter not ((latency) < 300) | fields n | sort n'))
    assert [r["n"] for r in got] == ["web3", "web4", "worker3", "worker4"]


def test_times_in_milliseconds_are_taken_as_milliseconds(logs: Any, group: str) -> None:
    # The API reference says seconds; AWS's own "large query" examples (awsdocs Python and JavaScript)
    # send epoch milliseconds and find their events, their ranges ending on a millisecond.
    first = now_ms() + 5_000
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[
        {"timestamp": first + i, "message": f"m{i}"} for i in range(3)])
    whole = logs.start_query(logGroupName=group, startTime=first - 3_600_000, endTime=first + 60_000, queryString="fields @message")
    assert run_to_end(logs, whole["queryId"])["statistics"]["recordsMatched"] == 3
    one = logs.start_query(logGroupName=group, startTime=first + 1, endTime=first + 1, queryString="fields @message")
    assert [r["@message"] for r in rows(run_to_end(logs, one["queryId"]))] == ["m1"]


def test_a_query_ending_before_its_group_was_made_is_refused(logs: Any, group: str) -> None:
    # As the awsdocs large-query examples expect of AWS: 'The error message starts with "Query's end
    # date and time"' when the range ends before the log group's creation.
    now = int(time.time())
    assert error_of(
        logs.start_query, logGroupName=group, startTime=now - 86_400 * 3650, endTime=now - 86_400 * 3000,
        queryString="fields @message",
    ) == ("MalformedQueryException",
        "Query's end date and time is either before the log groups creation time or exceeds the log groups "
        "log retention settings",
    )
    # A range that ends after the group was made is queried, whenever it starts.
    assert logs.start_query(logGroupName=group, startTime=0, endTime=now + 60, queryString="fields @message")["queryId"]


def test_list_log_groups_for_query_names_the_groups_it_ran_on(logs: Any, app_logs: str) -> None:
    other = unique("/pc/test")
    logs.create_log_group(logGroupName=other)
    try:
        now = int(time.time())
        query_id = logs.start_query(
            logGroupNames=[other, app_logs, other], startTime=now - 3600, endTime=now + 60, queryString="fields @message"
        )["queryId"]
        listed = logs.list_log_groups_for_query(queryId=query_id)
        assert listed["logGroupIdentifiers"] == [
            f"arn:aws:logs:us-east-1:000000000000:log-group:{name}" for name in sorted([other, app_logs])
        ]
        assert "nextToken" not in listed
        assert error_of(logs.list_log_groups_for_query, queryId="no-such-query") == (
            "ResourceNotFoundException",
            "Query does not exist.",
        )
    finally:
        logs.delete_log_group(logGroupName=other)
