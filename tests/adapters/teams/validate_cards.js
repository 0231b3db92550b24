// Parse Adaptive Cards the way Teams does, with Microsoft's own `adaptivecards` package.
// stdin: a JSON array of card contents. stdout: a JSON array, one list of problems per card.
// Every parse event (unknown element, property not in 1.5, bad value) and every validation
// event (duplicate ids, missing required properties) counts as a problem.
"use strict";
const path = require("path");
const AC = require(path.join(process.cwd(), "node_modules", "adaptivecards", "dist", "adaptivecards.js"));

const TARGET = new AC.Version(1, 5);

function problems(json) {
  const found = [];
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    return ["not a JSON object"];
  }
  if (json.type !== "AdaptiveCard") found.push(`type is ${JSON.stringify(json.type)}, not "AdaptiveCard"`);
  if (json.version !== "1.5") found.push(`version is ${JSON.stringify(json.version)}, not "1.5"`);
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext(TARGET);
  card.parse(json, context);
  for (let i = 0; i < context.eventCount; i++) {
    found.push(`parse: ${context.getEventAt(i).message}`);
  }
  for (const event of card.validateProperties().validationEvents) {
    found.push(`validate: ${event.message}`);
  }
  return found;
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const cards = JSON.parse(input);
  process.stdout.write(JSON.stringify(cards.map(problems)));
});
