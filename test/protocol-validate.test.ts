import { test } from "node:test";
import assert from "node:assert/strict";
import { loadModel } from "../src/protocol/model.js";
import { compilePattern, translateJavaRegex } from "../src/protocol/java-regex.js";
import { findViolations } from "../src/protocol/validate.js";
import { awsMemberPath, queryValidationError, restJsonValidationError } from "../src/protocol/violations.js";
import { organizationsInputError } from "../src/protocol/organizations-input-error.js";

const orgs = loadModel("organizations-2016-11-28");
const sts = loadModel("sts-2011-06-15");
const account = loadModel("account-2021-02-01");
const cloudtrail = loadModel("cloudtrail-2013-11-01");

test("the pattern of every string shape in the four models compiles to a JS RegExp", () => {
  let count = 0;
  for (const model of [orgs, sts, account, cloudtrail]) {
    for (const [name, shape] of Object.entries(model.shapes)) {
      if (shape.pattern === undefined) continue;
      assert.doesNotThrow(() => compilePattern(shape.pattern!), `${model.metadata.uid} ${name}: ${shape.pattern}`);
      assert.ok(compilePattern(shape.pattern!) instanceof RegExp);
      count++;
    }
  }
  assert.ok(count > 90, `expected many patterns, saw ${count}`);
  // Cached: the same RegExp object each time.
  assert.equal(compilePattern("^\\d{12}$"), compilePattern("^\\d{12}$"));
});

test("model patterns accept real identifiers and reject near misses (whole-value match)", () => {
  const ok = (shape: string, value: string): boolean => compilePattern(orgs.shapes[shape]!.pattern!).test(value);
  assert.ok(ok("AccountId", "123456789012"));
  assert.ok(!ok("AccountId", "12345678901"));
  assert.ok(!ok("AccountId", "1234567890123"));
  assert.ok(ok("OrganizationalUnitId", "ou-ab12-cdefgh34"));
  assert.ok(ok("ChildId", "123456789012"));
  assert.ok(ok("ChildId", "ou-ab12-cdefgh34"));
  assert.ok(!ok("ChildId", "123456789012x"), "top-level alternation is anchored as a whole");
  assert.ok(!ok("ChildId", "xou-ab12-cdefgh34"));
  assert.ok(ok("PolicyTargetId", "r-ab12"));
  assert.ok(ok("TaggableResourceId", "p-FullAWSAccess"));
  assert.ok(ok("Path", "o-abcdefghij/r-ab12/ou-ab12-cdefgh34/123456789012/"));
  assert.ok(ok("Email", "jane.doe+org@example.com"));
  assert.ok(!ok("Email", "jane doe@example.com"));
  assert.ok(ok("TagKey", "Ключ:env/α_β=1+2@x-y"), "\\p{L} accepts non-ASCII letters");
  assert.ok(!ok("TagKey", "bad*key"));
  assert.ok(ok("AccountName", "any\u00a0thing\nat all"), "[\\s\\S]* matches everything, NBSP and newlines included");
  assert.ok(ok("ResourcePolicyArn", "arn:aws:organizations::123456789012:resourcepolicy/o-abcdefghij/rp-abcd"));
  // STS policy document charset with a supplementary code point written as \u10000-\u10FFFF.
  assert.ok(compilePattern(sts.shapes["arnType"]!.pattern!).test("arn:aws:iam::123456789012:role/😀"));
  assert.ok(!compilePattern(sts.shapes["arnType"]!.pattern!).test("arn\u0001"));
  // CloudTrail: surrogate pairs in a class form a supplementary range; (?s) makes "." match newlines.
  const ct = Object.values(cloudtrail.shapes).find((s) => s.pattern?.includes("\\uD800\\uDC00"))!;
  assert.ok(compilePattern(ct.pattern!).test("x😀\ty"));
  assert.ok(compilePattern("(?s).*").test("a\nb"));
  assert.ok(!compilePattern(".*").test("a\nb"));
});

test("Java regex constructs are translated to JS semantics", () => {
  assert.ok(compilePattern("\\Qa.b\\E").test("a.b"));
  assert.ok(!compilePattern("\\Qa.b\\E").test("axb"));
  assert.ok(compilePattern("\\p{Alpha}+\\p{Digit}").test("abC1"));
  assert.ok(!compilePattern("\\p{Alpha}+").test("é"));
  assert.ok(compilePattern("\\p{IsAlphabetic}+").test("é"));
  assert.ok(compilePattern("\\p{Lu}\\p{javaLowerCase}").test("Ab"));
  assert.ok(compilePattern("(?i)abc").test("ABC"));
  assert.ok(!compilePattern("\\s").test("\u00a0"), "Java's \\s is ASCII whitespace only");
  assert.ok(compilePattern("[\\s\\S]").test("\u00a0"));
  assert.ok(compilePattern("a{2}+b").test("aab"), "possessive quantifier");
  assert.ok(compilePattern("[]a]+").test("]a"), "Java literal ] first in a class");
  assert.ok(compilePattern("[a[bc]]+").test("abc"), "Java class union");
  assert.ok(compilePattern("[\\w-:]+").test("a-:"), "- after a class escape is literal");
  assert.ok(compilePattern("x{").test("x{"), "lone brace is literal");
  assert.ok(compilePattern("\\x{1F600}").test("😀"));
  assert.ok(compilePattern("\\0101").test("A"));
  assert.ok(compilePattern("a\\-b\\:c").test("a-b:c"));
  assert.ok(!compilePattern(".").test("\u0085"), "Java's . excludes NEL");
  assert.throws(() => translateJavaRegex("[a&&[b]]"));
  assert.throws(() => translateJavaRegex("\\p{InGreek}"));
});

test("Organizations CreateAccount: required members, in model order", () => {
  const vs = findViolations(orgs, "CreateAccountRequest", {});
  assert.deepEqual(
    vs.map((v) => [v.reason, v.path]),
    [
      ["INPUT_REQUIRED", "Email"],
      ["INPUT_REQUIRED", "AccountName"],
    ],
  );
  const err = organizationsInputError(vs[0]!);
  assert.equal(err.code, "InvalidInputException");
  assert.equal(err.status, 400);
  assert.equal(err.fields.Reason, "INPUT_REQUIRED");
  assert.equal(err.message, "You must provide a value for the required member Email.");
  // null counts as absent; undefined input is the empty structure.
  assert.equal(findViolations(orgs, "CreateAccountRequest", { Email: null, AccountName: "x" })[0]!.reason, "INPUT_REQUIRED");
  assert.equal(findViolations(orgs, "CreateAccountRequest", undefined).length, 2);
});

test("Organizations CreateAccount: bad email pattern, too long name, enum, unknown members ignored", () => {
  const good = { Email: "owner@example.com", AccountName: "Prod", Unknown: 42 };
  assert.deepEqual(findViolations(orgs, "CreateAccountRequest", good), []);

  const badEmail = findViolations(orgs, "CreateAccountRequest", { ...good, Email: "not-an-email" });
  assert.equal(badEmail.length, 1);
  assert.equal(badEmail[0]!.reason, "INVALID_PATTERN");
  assert.equal(badEmail[0]!.sensitive, true);
  const e1 = organizationsInputError(badEmail[0]!);
  assert.equal(e1.fields.Reason, "INVALID_PATTERN");
  assert.equal(e1.message, "You provided a value that does not match the required pattern for member Email.");

  const longName = findViolations(orgs, "CreateAccountRequest", { ...good, AccountName: "x".repeat(51) });
  assert.deepEqual(
    longName.map((v) => v.reason),
    ["MAX_LENGTH_EXCEEDED"],
  );
  const e2 = organizationsInputError(longName[0]!);
  assert.equal(e2.fields.Reason, "MAX_LENGTH_EXCEEDED");
  assert.equal(e2.message, "The value of member AccountName exceeds the maximum length of 50 characters.");

  const shortEmail = findViolations(orgs, "CreateAccountRequest", { ...good, Email: "a@b.c" });
  assert.deepEqual(
    shortEmail.map((v) => v.reason),
    ["MIN_LENGTH_EXCEEDED"],
  );
  assert.equal(organizationsInputError(shortEmail[0]!).fields.Reason, "MIN_LENGTH_EXCEEDED");

  const billing = findViolations(orgs, "CreateAccountRequest", { ...good, IamUserAccessToBilling: "MAYBE" });
  assert.equal(billing[0]!.reason, "INVALID_ENUM");
  assert.equal(billing[0]!.constraint, "[ALLOW, DENY]");
  assert.equal(organizationsInputError(billing[0]!).fields.Reason, "INVALID_ENUM");
});

test("lengths count code points, as AWS does", () => {
  const emoji128 = "😀".repeat(128); // 256 UTF-16 units
  assert.deepEqual(findViolations(orgs, "CreateOrganizationalUnitRequest", { ParentId: "r-ab12", Name: emoji128 }), []);
  const v = findViolations(orgs, "CreateOrganizationalUnitRequest", { ParentId: "r-ab12", Name: emoji128 + "😀" });
  assert.deepEqual(
    v.map((x) => x.reason),
    ["MAX_LENGTH_EXCEEDED"],
  );
});

test("Organizations ListAccounts MaxResults range and type", () => {
  const zero = findViolations(orgs, "ListAccountsRequest", { MaxResults: 0 });
  assert.deepEqual(
    zero.map((v) => [v.reason, v.path, v.constraint]),
    [["MIN_VALUE_EXCEEDED", "MaxResults", "1"]],
  );
  assert.equal(organizationsInputError(zero[0]!).fields.Reason, "MIN_VALUE_EXCEEDED");
  assert.equal(organizationsInputError(zero[0]!).message, "The value of member MaxResults is less than the minimum value of 1.");

  const big = findViolations(orgs, "ListAccountsRequest", { MaxResults: 21 });
  assert.deepEqual(
    big.map((v) => [v.reason, v.constraint]),
    [["MAX_VALUE_EXCEEDED", "20"]],
  );
  assert.equal(organizationsInputError(big[0]!).fields.Reason, "MAX_VALUE_EXCEEDED");

  assert.deepEqual(findViolations(orgs, "ListAccountsRequest", { MaxResults: 20, NextToken: "abc" }), []);

  // Wrong JSON types are found while deserializing: AWS answers SerializationException.
  for (const bad of ["5", 2.5, true, [1], { a: 1 }, 2 ** 31]) {
    const vs = findViolations(orgs, "ListAccountsRequest", { MaxResults: bad });
    assert.equal(vs.length, 1, JSON.stringify(bad));
    assert.equal(vs[0]!.reason, "INVALID_TYPE");
    const err = organizationsInputError(vs[0]!);
    assert.equal(err.code, "SerializationException");
    assert.equal(err.status, 400);
  }
  assert.match(
    organizationsInputError(findViolations(orgs, "ListAccountsRequest", { MaxResults: "5" })[0]!).message,
    /STRING_VALUE can not be converted to an Integer/,
  );
  // A non-object input is itself a type error.
  assert.equal(findViolations(orgs, "ListAccountsRequest", "x")[0]!.reason, "INVALID_TYPE");
});

test("type errors come first, then constraints in member order", () => {
  const vs = findViolations(orgs, "CreateAccountRequest", { AccountName: "x".repeat(60), Tags: "nope" });
  assert.deepEqual(
    vs.map((v) => [v.reason, v.path]),
    [
      ["INVALID_TYPE", "Tags"],
      ["INPUT_REQUIRED", "Email"],
      ["MAX_LENGTH_EXCEEDED", "AccountName"],
    ],
  );
});

test("Organizations Tags: nested paths and list members", () => {
  const vs = findViolations(orgs, "CreateAccountRequest", {
    Email: "owner@example.com",
    AccountName: "Prod",
    Tags: [{ Key: "ok", Value: "fine" }, { Value: "no key" }, { Key: "k".repeat(129), Value: "v" }, { Key: "bad*", Value: "v" }],
  });
  assert.deepEqual(
    vs.map((v) => [v.reason, v.path]),
    [
      ["INPUT_REQUIRED", "Tags[1].Key"],
      ["MAX_LENGTH_EXCEEDED", "Tags[2].Key"],
      ["INVALID_PATTERN", "Tags[3].Key"],
    ],
  );
  assert.equal(organizationsInputError(vs[0]!).message, "You must provide a value for the required member Tags[1].Key.");
  assert.equal(organizationsInputError(vs[1]!).fields.Reason, "MAX_LENGTH_EXCEEDED");

  // An invalid element of a list of strings: INVALID_LIST_MEMBER.
  const keys = findViolations(orgs, "UntagResourceRequest", { ResourceId: "123456789012", TagKeys: ["good", "bad*"] });
  assert.deepEqual(
    keys.map((v) => [v.reason, v.path]),
    [["INVALID_PATTERN", "TagKeys[1]"]],
  );
  const err = organizationsInputError(keys[0]!);
  assert.equal(err.fields.Reason, "INVALID_LIST_MEMBER");
  assert.match(err.message, /member TagKeys/);
  assert.equal(findViolations(orgs, "UntagResourceRequest", { ResourceId: "123456789012", TagKeys: [null] })[0]!.reason, "INPUT_REQUIRED");
});

test("Organizations dedicated reasons: policy type enum, target id, policy id", () => {
  const type = findViolations(orgs, "ListPoliciesRequest", { Filter: "SERVICE_CONTROL" });
  assert.equal(type[0]!.reason, "INVALID_ENUM");
  const e1 = organizationsInputError(type[0]!);
  assert.equal(e1.fields.Reason, "INVALID_ENUM_POLICY_TYPE");
  assert.match(e1.message, /policy type/);

  const target = findViolations(orgs, "AttachPolicyRequest", { PolicyId: "p-FullAWSAccess", TargetId: "account-1" });
  assert.deepEqual(
    target.map((v) => v.reason),
    ["INVALID_PATTERN"],
  );
  assert.equal(organizationsInputError(target[0]!).fields.Reason, "INVALID_PATTERN_TARGET_ID");

  const policy = findViolations(orgs, "DescribePolicyRequest", { PolicyId: "policy-1" });
  assert.equal(organizationsInputError(policy[0]!).fields.Reason, "INVALID_SYNTAX_POLICY_ID");

  const ok = findViolations(orgs, "AttachPolicyRequest", { PolicyId: "p-FullAWSAccess", TargetId: "ou-ab12-cdefgh34" });
  assert.deepEqual(ok, []);
});

test("STS AssumeRole: query validation messages as AWS prints them", () => {
  const base = { RoleArn: "arn:aws:iam::123456789012:role/Admin", RoleSessionName: "session" };
  assert.deepEqual(findViolations(sts, "AssumeRoleRequest", base), []);

  const badName = findViolations(sts, "AssumeRoleRequest", { ...base, RoleSessionName: "bad name!" });
  const e1 = queryValidationError(badName);
  assert.equal(e1.code, "ValidationError");
  assert.equal(e1.status, 400);
  assert.equal(
    e1.message,
    "1 validation error detected: Value 'bad name!' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
  );

  const short = findViolations(sts, "AssumeRoleRequest", { ...base, DurationSeconds: 100 });
  assert.equal(
    queryValidationError(short).message,
    "1 validation error detected: Value '100' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
  );

  const two = findViolations(sts, "AssumeRoleRequest", { ...base, RoleSessionName: "x", DurationSeconds: 50000 });
  assert.equal(
    queryValidationError(two).message,
    "2 validation errors detected: Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2; " +
      "Value '50000' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200",
  );

  const missing = findViolations(sts, "AssumeRoleRequest", { RoleArn: base.RoleArn, Tags: [{ Key: "k" }] });
  assert.equal(
    queryValidationError(missing).message,
    "2 validation errors detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null; " +
      "Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null",
  );

  const tooMany = findViolations(sts, "AssumeRoleRequest", { ...base, TransitiveTagKeys: Array.from({ length: 51 }, (_, i) => `k${i}`) });
  assert.deepEqual(
    tooMany.map((v) => v.reason),
    ["MAX_LIST_LENGTH"],
  );
  assert.match(
    queryValidationError(tooMany).message,
    /at 'transitiveTagKeys' failed to satisfy constraint: Member must have length less than or equal to 50$/,
  );

  const emptyContexts = findViolations(sts, "AssumeRoleRequest", { ...base, ProvidedContexts: [] });
  assert.deepEqual(
    emptyContexts.map((v) => v.reason),
    ["MIN_LIST_LENGTH"],
  );
  assert.equal(organizationsInputError(emptyContexts[0]!).fields.Reason, "MIN_LENGTH_EXCEEDED");
});

test("sensitive values are not echoed in validation messages", () => {
  const vs = findViolations(account, "PutAlternateContactRequest", {
    Name: "n".repeat(65),
    Title: "t",
    EmailAddress: "e@example.com",
    PhoneNumber: "+1 555",
    AlternateContactType: "BILLING",
  });
  assert.equal(
    queryValidationError(vs).message,
    "1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have length less than or equal to 64",
  );
});

test("Account PutAlternateContact: restJson ValidationException with fieldList", () => {
  const vs = findViolations(account, "PutAlternateContactRequest", { AlternateContactType: "SALES", AccountId: "123" });
  assert.deepEqual(
    vs.map((v) => [v.reason, v.path]),
    [
      ["INPUT_REQUIRED", "Name"],
      ["INPUT_REQUIRED", "Title"],
      ["INPUT_REQUIRED", "EmailAddress"],
      ["INPUT_REQUIRED", "PhoneNumber"],
      ["INVALID_ENUM", "AlternateContactType"],
      ["INVALID_PATTERN", "AccountId"],
    ],
  );
  const err = restJsonValidationError(vs);
  assert.equal(err.code, "ValidationException");
  assert.equal(err.status, 400);
  assert.equal(err.fields.reason, "fieldValidationFailed");
  assert.ok(
    err.message.startsWith("6 validation errors detected: Value null at 'name' failed to satisfy constraint: Member must not be null; "),
  );
  assert.ok(
    err.message.includes(
      "Value 'SALES' at 'alternateContactType' failed to satisfy constraint: Member must satisfy enum value set: [BILLING, OPERATIONS, SECURITY]",
    ),
  );
  assert.ok(
    err.message.endsWith(
      "Value '123' at 'accountId' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{12}",
    ),
  );
  assert.deepEqual(err.fields.fieldList, [
    { name: "name", message: "Member must not be null" },
    { name: "title", message: "Member must not be null" },
    { name: "emailAddress", message: "Member must not be null" },
    { name: "phoneNumber", message: "Member must not be null" },
    { name: "alternateContactType", message: "Member must satisfy enum value set: [BILLING, OPERATIONS, SECURITY]" },
    { name: "accountId", message: "Member must satisfy regular expression pattern: \\d{12}" },
  ]);

  // Nested structure paths.
  const contact = findViolations(account, "PutContactInformationRequest", {
    ContactInformation: { FullName: "A", AddressLine1: "x", City: "c", PostalCode: "1", CountryCode: "USA", PhoneNumber: "555" },
  });
  assert.deepEqual(
    contact.map((v) => [v.reason, v.path]),
    [
      ["MAX_LENGTH_EXCEEDED", "ContactInformation.CountryCode"],
      ["INVALID_PATTERN", "ContactInformation.PhoneNumber"],
    ],
  );
  assert.deepEqual(
    (restJsonValidationError(contact).fields.fieldList as { name: string }[]).map((f) => f.name),
    ["contactInformation.countryCode", "contactInformation.phoneNumber"],
  );

  // Wrong JSON type: SerializationException.
  const typed = restJsonValidationError(findViolations(account, "ListRegionsRequest", { MaxResults: "ten" }));
  assert.equal(typed.code, "SerializationException");
});

test("maps: key and value constraints (CloudTrail)", () => {
  const mapEntry = Object.entries(cloudtrail.shapes).find(
    ([, s]) => s.type === "map" && s.key && cloudtrail.shapes[s.key.shape]?.max !== undefined,
  );
  assert.ok(mapEntry, "CloudTrail has a map with a constrained key");
  const [mapName, mapShape] = mapEntry;
  const holder = Object.entries(cloudtrail.shapes).find(
    ([, s]) => s.type === "structure" && Object.values(s.members ?? {}).some((r) => r.shape === mapName),
  );
  assert.ok(holder, "a structure holds that map");
  const [holderName, holderShape] = holder;
  const member = Object.entries(holderShape.members!).find(([, r]) => r.shape === mapName)![0];
  const keyMax = cloudtrail.shapes[mapShape.key!.shape]!.max!;
  const vs = findViolations(cloudtrail, holderName, { [member]: { ["k".repeat(keyMax + 1)]: "v" } }).filter((v) => v.mapPart === "key");
  assert.equal(vs.length, 1);
  assert.equal(vs[0]!.path, member);
  assert.match(queryValidationError(vs).message, /Map keys must satisfy constraint: \[Member must have length less than or equal to/);
});

test("awsMemberPath renders Coral paths", () => {
  assert.equal(awsMemberPath("RoleSessionName"), "roleSessionName");
  assert.equal(awsMemberPath("Tags[0].Key"), "tags.1.member.key");
  assert.equal(awsMemberPath("TransitiveTagKeys[2]"), "transitiveTagKeys.3.member");
  assert.equal(awsMemberPath("SAMLAssertion"), "sAMLAssertion");
  assert.equal(awsMemberPath('Attrs["a.b"].Value'), "attrs.a.b.value");
});
