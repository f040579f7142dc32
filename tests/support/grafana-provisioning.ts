// The documented shape of Grafana's provisioning files (grafana.com/docs/grafana/latest/
// administration/provisioning/, "Data sources" and "Dashboards"), as strict zod schemas: an
// unknown or misspelled key is an error, as it would silently be ignored by Grafana.
import { z } from "zod";

const datasource = z.strictObject({
    name: z.string().min(1),
    type: z.string().min(1),
    uid: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/).optional(),
    access: z.enum(["proxy", "direct"]).optional(),
    orgId: z.number().int().optional(),
    url: z.string().url().optional(),
    user: z.string().optional(),
    database: z.string().optional(),
    basicAuth: z.boolean().optional(),
    basicAuthUser: z.string().optional(),
    withCredentials: z.boolean().optional(),
    isDefault: z.boolean().optional(),
    jsonData: z.record(z.string(), z.unknown()).optional(),
    secureJsonData: z.record(z.string(), z.string()).optional(),
    version: z.number().int().optional(),
    editable: z.boolean().optional(),
});

export const DatasourcesFile = z.strictObject({
    apiVersion: z.literal(1),
    deleteDatasources: z.array(z.strictObject({ name: z.string(), orgId: z.number().int().optional() })).optional(),
    prune: z.boolean().optional(),
    datasources: z.array(datasource),
});

const provider = z.strictObject({
    name: z.string().min(1),
    orgId: z.number().int().optional(),
    folder: z.string().optional(),
    folderUid: z.string().optional(),
    type: z.literal("file"),
    disableDeletion: z.boolean().optional(),
    updateIntervalSeconds: z.number().int().min(1).optional(),
    allowUiUpdates: z.boolean().optional(),
    options: z.strictObject({ path: z.string().startsWith("/"), foldersFromFilesStructure: z.boolean().optional() }),
});

export const DashboardProvidersFile = z.strictObject({ apiVersion: z.literal(1), providers: z.array(provider).min(1) });

/** zod's issues as "path: message" lines. */
export function shapeProblems(schema: z.ZodType, doc: unknown): string[] {
    const r = schema.safeParse(doc);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
}
