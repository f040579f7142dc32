// Compare this wrapper's schema-embed.json with the @pulumi/hcloud SDK in node_modules (see
// ../check-schema.js for what is compared). Run after regenerating the schema:
//
//   node scripts/toolchain/pulumi-resource-hcloud/check-schema.js [path/to/node_modules/@pulumi/hcloud]
//
// Exit status 1 when the SDK has something the schema lacks.
const path = require("path");
require("../check-schema")({
  pkg: "hcloud",
  schemaFile: path.join(__dirname, "schema-embed.json"),
  sdk: process.argv[2] || path.join(__dirname, "../../../node_modules/@pulumi/hcloud"),
});
