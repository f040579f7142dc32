// Reads `pulumi preview --json`: the planned steps with their types, names and inputs.
export interface PlannedStep {
    op: string;
    urn: string;
    type: string;
    name: string;
    /** False for component resources (they create nothing themselves). */
    custom: boolean;
    inputs: Record<string, any>;
}

export function plannedSteps(previewJson: string): PlannedStep[] {
    const doc = JSON.parse(previewJson);
    return (doc.steps ?? []).map((s: any) => {
        const state = s.newState ?? s.oldState ?? {};
        return { op: s.op, urn: s.urn, type: state.type ?? s.urn.split("::")[2], name: s.urn.split("::").pop(), custom: state.custom !== false, inputs: state.inputs ?? {} };
    });
}

export const ofType = (steps: PlannedStep[], type: string) => steps.filter((s) => s.type === type);

export function only(steps: PlannedStep[], type: string): PlannedStep {
    const found = ofType(steps, type);
    if (found.length !== 1) throw new Error(`expected one ${type} in the plan, found ${found.length}`);
    return found[0];
}

/** A stable text of the plan (operation, resource, inputs), to compare two previews. */
export function planText(steps: PlannedStep[]): string {
    const sortKeys = (v: any): any =>
        Array.isArray(v) ? v.map(sortKeys) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])])) : v;
    return steps.map((s) => `${s.op} ${s.urn} ${JSON.stringify(sortKeys(s.inputs))}`).sort().join("\n");
}
