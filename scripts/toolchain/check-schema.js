// Compare a wrapper's generated schema-embed.json with its npm SDK in node_modules: resource
// tokens and property names (the SDK's resourceInputs keys), function argument names, provider
// config, nested object types (types/input.d.ts, output.d.ts), and which properties are
// optional. Used by pulumi-resource-NAME/check-schema.js:
//
//   checkSchema({ pkg: "docker", schemaFile, sdk, notProvided: new Set([...]) })
//
// Exits 1 when the SDK has something the schema lacks, apart from `notProvided` (tokens and
// type names the wrapper deliberately does not implement).
const fs = require("fs");
const path = require("path");

module.exports = function checkSchema({ pkg, schemaFile, sdk, notProvided = new Set() }) {
  const schema = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
  let problems = 0;
  const read = f => fs.readFileSync(path.join(sdk, f), "utf8");
  const report = (label, what, names) => names.length && console.log(`${label}: ${what}: ${names.join(", ")}`);
  function compare(label, sdkNames, ours) {
    const o = new Set(ours), w = new Set(sdkNames);
    const missing = [...w].filter(x => !o.has(x));
    problems += missing.length;
    report(label, "in the SDK, not in the schema", missing);
    report(label, "only in the schema (the SDK can't set them)", [...o].filter(x => !w.has(x)));
  }
  const inputsOf = js => [...new Set([...js.matchAll(/resourceInputs\["(\w+)"\]/g)].map(m => m[1]))];
  const tokenRe = new RegExp(`"(${pkg}:index\\/\\w+:\\w+)"`, "g");

  let resources = 0;
  for (const tok of [...new Set([...read("index.js").matchAll(tokenRe)].map(m => m[1]))]) {
    if (notProvided.has(tok)) continue;
    const r = schema.resources[tok], file = tok.split("/")[1].split(":")[0];
    if (!r) { problems++; console.log(`resource ${tok}: not in the schema`); continue; }
    resources++;
    compare(`resource ${tok}`, inputsOf(read(`${file}.js`)), [...Object.keys(r.inputProperties || {}), ...Object.keys(r.properties || {})]);
    // optional vs required, for outputs (class fields) and inputs (Args interface)
    const dts = read(`${file}.d.ts`), cls = dts.split("export interface")[0];
    const req = new Set(r.required || []), reqIn = new Set(r.requiredInputs || []);
    for (const m of cls.matchAll(/readonly (\w+): pulumi\.Output<(.*?)>;/g))
      if (!m[2].includes("undefined") !== req.has(m[1])) { problems++; console.log(`resource ${tok}: output ${m[1]} optionality differs`); }
    const args = dts.split(`export interface ${tok.split(":").pop()}Args`)[1] || "";
    for (const m of args.matchAll(/readonly (\w+)(\??): pulumi\.Input/g))
      if ((m[2] === "") !== reqIn.has(m[1])) { problems++; console.log(`resource ${tok}: input ${m[1]} optionality differs`); }
  }
  compare("provider", inputsOf(read("provider.js")), Object.keys(schema.provider.inputProperties || {}));
  let functions = 0;
  for (const f of fs.readdirSync(sdk).filter(f => /^get\w+\.js$/.test(f))) {
    const js = read(f), tok = (js.match(new RegExp(`"(${pkg}:index\\/\\w+:\\w+)"`)) || [])[1], fn = schema.functions[tok];
    if (!fn) { problems++; console.log(`function ${tok}: not in the schema`); continue; }
    functions++;
    compare(`function ${tok}`, [...new Set([...js.matchAll(/"(\w+)": args\.\w+/g)].map(m => m[1]))], Object.keys((fn.inputs || {}).properties || {}));
  }
  let types = 0;
  for (const kind of ["input", "output"]) {
    for (const m of read(`types/${kind}.d.ts`).matchAll(/export interface (\w+) \{([\s\S]*?)\n\}/g)) {
      const name = m[1].replace(/Args$/, "");
      if (notProvided.has(name)) continue;
      const tok = Object.keys(schema.types).find(t => t.toLowerCase().endsWith(":" + name.toLowerCase()));
      if (!tok) { problems++; console.log(`type ${kind}.${m[1]}: not in the schema`); continue; }
      types++;
      compare(`type ${kind}.${m[1]}`, [...m[2].matchAll(/^\s{4}(\w+)\??:/gm)].map(x => x[1]), Object.keys(schema.types[tok].properties || {}));
    }
  }
  console.log(`checked ${resources} resources, ${functions} functions, ${types} nested types against ${sdk}`);
  console.log(problems ? `check-schema: ${problems} problem(s)` : "check-schema: the schema matches the SDK");
  process.exit(problems ? 1 : 0);
};
