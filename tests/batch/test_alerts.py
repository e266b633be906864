"""The stack tells people when jobs fail: an EventBridge rule on Batch jobs that end FAILED, an
alarm on failed runs, both publishing to one SNS topic (with an optional e-mail subscription),
and `datafeeds batch status --sync` on a schedule so lost and timed-out jobs are recorded."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from typer.testing import CliRunner

from datafeeds_core.logs import JsonFormatter
from datafeeds_core.platform.schema import QUEUES

from .test_container import template

QUEUE_RESOURCES = ["HighQueue", "MediumQueue", "LowQueue"]


def resources() -> dict[str, Any]:
    return template()["Resources"]  # type: ignore[no-any-return]


def test_batch_jobs_that_end_failed_after_their_retries_publish_to_the_alert_topic() -> None:
    rule = resources()["FailedJobRule"]
    assert rule["Type"] == "AWS::Events::Rule" and rule["Properties"]["State"] == "ENABLED"
    pattern = rule["Properties"]["EventPattern"]
    assert pattern["source"] == ["aws.batch"]
    assert pattern["detail-type"] == ["Batch Job State Change"]
    # FAILED is final: a retried attempt goes back to RUNNABLE, not FAILED.
    assert pattern["detail"]["status"] == ["FAILED"]
    assert [q["Ref"] for q in pattern["detail"]["jobQueue"]] == QUEUE_RESOURCES
    assert len(QUEUE_RESOURCES) == len(QUEUES)
    # Array children are left out: their parent fails with them (one message per fleet).
    assert pattern["detail"]["arrayProperties"] == {"index": [{"exists": False}]}
    [target] = rule["Properties"]["Targets"]
    assert target["Arn"] == {"Ref": "AlertTopic"}
    paths = target["InputTransformer"]["InputPathsMap"]
    assert paths["reason"] == "$.detail.statusReason" and paths["id"] == "$.detail.jobId"


def test_only_the_rule_and_the_alarm_may_publish_to_the_topic() -> None:
    policy = resources()["AlertTopicPolicy"]["Properties"]
    assert policy["Topics"] == [{"Ref": "AlertTopic"}]
    publishers = {
        s["Principal"]["Service"]: s["Condition"]["ArnEquals"]["aws:SourceArn"]["Fn::GetAtt"][0]
        for s in policy["PolicyDocument"]["Statement"]
        if s["Action"] == "sns:Publish" and s["Effect"] == "Allow"
    }
    assert publishers == {
        "events.amazonaws.com": "FailedJobRule",
        "cloudwatch.amazonaws.com": "FailedRunsAlarm",
    }


def test_an_email_subscription_exists_only_when_an_address_is_given() -> None:
    stack = template()
    assert stack["Parameters"]["AlertEmail"]["Default"] == ""
    assert stack["Conditions"]["HasAlertEmail"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AlertEmail"}, ""]}]
    }
    subscription = stack["Resources"]["AlertEmailSubscription"]
    assert subscription["Condition"] == "HasAlertEmail"
    assert subscription["Properties"] == {
        "TopicArn": {"Ref": "AlertTopic"},
        "Protocol": "email",
        "Endpoint": {"Ref": "AlertEmail"},
    }
    assert stack["Outputs"]["AlertTopicArn"]["Value"] == {"Ref": "AlertTopic"}


def _matches(filter_pattern: str, message: str) -> bool:
    """A CloudWatch JSON filter `{ $.message = "… * …" }` applied to one message."""
    found = re.fullmatch(r'\{ \$\.message = "(.*)" \}', filter_pattern)
    assert found, filter_pattern
    literal = "".join(
        ".*" if part == "*" else re.escape(part) for part in re.split(r"(\*)", found[1])
    )
    return re.fullmatch(literal, message) is not None


def test_the_failed_runs_metric_counts_the_workers_failed_run_lines_and_the_alarm_notifies() -> (
    None
):
    stack = resources()
    metric = stack["FailedRunsMetric"]["Properties"]
    assert metric["LogGroupName"] == {"Ref": "LogGroup"}
    pattern = metric["FilterPattern"]

    def worker_line(status: str) -> str:
        # The runner's closing line as the worker writes it (JSON, one event per line).
        record = logging.LogRecord(
            "datafeeds",
            logging.INFO,
            __file__,
            1,
            "run %s finished: %s in %.2fs",
            (12, status, 3.2),
            None,
        )
        return json.loads(JsonFormatter().format(record))["message"]  # type: ignore[no-any-return]

    assert _matches(pattern, worker_line("failed"))
    for status in ("succeeded", "no-new-data", "dry-run", "cancelled"):
        assert not _matches(pattern, worker_line(status)), status
    [transform] = metric["MetricTransformations"]
    alarm = stack["FailedRunsAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == (
        transform["MetricNamespace"],
        transform["MetricName"],
    )
    assert alarm["Statistic"] == "Sum" and alarm["TreatMissingData"] == "notBreaching"
    assert alarm["Threshold"] == {"Ref": "FailedRunsThreshold"}
    assert alarm["AlarmActions"] == [{"Ref": "AlertTopic"}]


def test_batch_status_sync_runs_on_a_schedule_as_the_scheduler_job() -> None:
    from datafeeds_core.cli import batch as batch_cli

    stack = resources()
    schedule = stack["StatusSyncSchedule"]
    assert schedule["Type"] == "AWS::Scheduler::Schedule"
    target = schedule["Properties"]["Target"]
    assert target["Arn"] == {"Fn::Sub": "arn:${AWS::Partition}:scheduler:::aws-sdk:batch:submitJob"}
    assert target["RoleArn"] == {"Fn::GetAtt": ["StatusSyncRole", "Arn"]}
    request = json.loads(target["Input"]["Fn::Sub"])
    assert request["jobQueue"] == "${HighQueue}"
    assert request["jobDefinition"] == "${JobDefinitionName}-scheduler"
    command = request["containerOverrides"]["command"]
    assert command == ["batch", "status", "--sync", "--log-group", "${LogGroup}"]
    # The command is one the CLI has (its options parse).
    help_text = CliRunner().invoke(batch_cli.app, ["status", "--help"]).output
    assert "--sync" in help_text and "--log-group" in help_text
    [statement] = stack["StatusSyncRole"]["Properties"]["Policies"][0]["PolicyDocument"][
        "Statement"
    ]
    assert statement["Action"] == "batch:SubmitJob"
    principal = stack["StatusSyncRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert principal[0]["Principal"] == {"Service": "scheduler.amazonaws.com"}
