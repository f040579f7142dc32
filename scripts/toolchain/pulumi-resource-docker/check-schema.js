// Compare this wrapper's schema-embed.json with the @pulumi/docker SDK in node_modules (see
// ../check-schema.js for what is compared). Run after regenerating the schema:
//
//   node scripts/toolchain/pulumi-resource-docker/check-schema.js [path/to/node_modules/@pulumi/docker]
//
// Exit status 1 when the SDK has something the schema lacks, apart from pulumi-docker's
// native docker:index/image:Image and its types, which this wrapper does not provide.
const path = require("path");
require("../check-schema")({
  pkg: "docker",
  schemaFile: path.join(__dirname, "schema-embed.json"),
  sdk: process.argv[2] || path.join(__dirname, "../../../node_modules/@pulumi/docker"),
  notProvided: new Set(["docker:index/image:Image", "CacheFrom", "DockerBuild", "Registry"]),
});
