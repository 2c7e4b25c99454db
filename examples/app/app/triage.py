"""Route a support ticket: classify it, then draft a first answer."""

import os

import boto3
from openai import AzureOpenAI, OpenAI

DRAFT_MODEL = "gpt-5.1-2025-11-13"
# Long tickets go to Claude on Bedrock, through the US cross-region inference profile.
LONG_TICKET_MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"


def draft_answer(ticket: str) -> str:
    client = OpenAI()
    reply = client.chat.completions.create(
        model=DRAFT_MODEL, messages=[{"role": "user", "content": ticket}])
    return reply.choices[0].message.content or ""


def draft_long_answer(ticket: str) -> str:
    bedrock = boto3.client("bedrock-runtime", region_name="us-east-1")
    reply = bedrock.converse(modelId=LONG_TICKET_MODEL,
                             messages=[{"role": "user", "content": [{"text": ticket}]}])
    return reply["output"]["message"]["content"][0]["text"]


def summarize_for_agent(ticket: str) -> str:
    client = AzureOpenAI(api_version="2024-10-21")
    reply = client.chat.completions.create(
        model=os.environ["AZURE_OPENAI_DEPLOYMENT"],
        messages=[{"role": "user", "content": f"Summarize: {ticket}"}])
    return reply.choices[0].message.content or ""
