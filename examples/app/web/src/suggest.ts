import Anthropic from "@anthropic-ai/sdk";

const client = new Anthropic();

// Suggest three macro replies while the agent types.
export async function suggestReplies(ticket: string): Promise<string> {
  const message = await client.messages.create({
    model: "claude-opus-4-8",
    max_tokens: 512,
    messages: [{ role: "user", content: ticket }],
  });
  const block = message.content[0];
  return block.type === "text" ? block.text : "";
}
