// The swarm of a cluster: initialised on the first manager, the other nodes joined, each node
// labelled; idempotent (a node already in a swarm is left as it is, and `destroy` undoes only
// what these steps did: a swarm we created is dissolved, nodes we joined leave and are removed).
// Join tokens are read once into a Pulumi secret and reach the joining node's step on stdin.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterModel, ClusterNodeModel } from "../../config/cluster";
import { nodeLabelKey } from "../../runtime/swarm";
import { dockerCliEnv } from "./ssh-client";

export interface SwarmHostsArgs {
    cluster: ClusterModel;
    /** DOCKER_HOST of every node, by node name (the first manager's is the Platform's host). */
    dockerHosts: Record<string, pulumi.Input<string>>;
    /** Per node: what must be ready before its engine is used (bootstrap, provider). */
    ready: Record<string, pulumi.Input<pulumi.Resource>[]>;
}

/** The address other nodes reach a node at: advertiseAddress, else its ssh address, else loopback (a one-node local swarm). */
export function advertiseAddress(n: ClusterNodeModel): string {
    if (n.advertiseAddress) return n.advertiseAddress;
    if (n.host.provider === "ssh") return n.host.address;
    if (n.host.provider === "local") return "127.0.0.1";
    throw new Error(`cluster node ${n.name}: set advertiseAddress (an hcloud node's address is known only after it is created)`);
}

/** `<created|existing|joined> <node id>` on stdout: what the delete step undoes, and the id labels use. */
const STATE = `state=$(docker info --format '{{.Swarm.LocalNodeState}}')`;
const NODE_ID = `docker info --format '{{.Swarm.NodeID}}'`;

export function initScript(addr: string): string {
    return [
        "set -eu",
        STATE,
        // A swarm that already exists is used as it is, if this node can manage it.
        `if [ "$state" = active ]; then [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" = true ] || { echo "this node is in a swarm but not a manager" >&2; exit 1; }; echo "existing $(${NODE_ID})"; exit 0; fi`,
        `docker swarm init --advertise-addr ${addr} >/dev/null`,
        `echo "created $(${NODE_ID})"`,
    ].join("\n");
}

export const INIT_DELETE = `set -- $PULUMI_COMMAND_STDOUT\nif [ "$1" = created ]; then docker swarm leave --force >/dev/null; fi`;

/** Joins with the token of its role, read from stdin (worker token, then manager token). */
export function joinScript(role: "manager" | "worker", addr: string, primaryAddr: string): string {
    return [
        "set -eu",
        // The tokens arrive without a final newline: the last read returns 1 at end of input.
        "read -r worker_token; read -r manager_token || true",
        STATE,
        `if [ "$state" = active ]; then echo "existing $(${NODE_ID})"; exit 0; fi`,
        `docker swarm join --token "$${role}_token" --advertise-addr ${addr} ${primaryAddr}:2377 >/dev/null`,
        `echo "joined $(${NODE_ID})"`,
    ].join("\n");
}

/** A node we joined leaves again (a manager is demoted first, keeping the others' quorum), and the manager forgets it. */
export const JOIN_DELETE = [
    "set -- $PULUMI_COMMAND_STDOUT",
    'if [ "$1" = joined ]; then',
    '  DOCKER_HOST="$PRIMARY_DOCKER_HOST" docker node demote "$2" >/dev/null 2>&1 || true',
    "  docker swarm leave --force >/dev/null",
    '  DOCKER_HOST="$PRIMARY_DOCKER_HOST" docker node rm --force "$2" >/dev/null',
    "fi",
].join("\n");

export class SwarmHosts extends pulumi.ComponentResource {
    /** Everything Docker resources on the swarm wait for: the swarm formed and every node labelled. */
    readonly ready: pulumi.Resource[];
    /** The join tokens (worker, manager), a Pulumi secret. */
    readonly tokens: pulumi.Output<string>;

    constructor(name: string, args: SwarmHostsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hostplane:host:Swarm", name, {}, opts);
        const { cluster } = args;
        const primary = cluster.nodes.find((n) => n.name === cluster.primary)!;
        const primaryHost = args.dockerHosts[primary.name];
        const init = new command.local.Command(
            `${name}-init`,
            { create: initScript(advertiseAddress(primary)), delete: INIT_DELETE, environment: dockerCliEnv(primaryHost), interpreter: ["/bin/sh", "-c"] },
            { parent: this, dependsOn: args.ready[primary.name] },
        );
        const tokens = new command.local.Command(
            `${name}-join-tokens`,
            { create: "set -eu\ndocker swarm join-token -q worker\ndocker swarm join-token -q manager", environment: dockerCliEnv(primaryHost), logging: "none", triggers: [init.stdout] },
            { parent: this, dependsOn: [init], additionalSecretOutputs: ["stdout"] },
        );
        this.tokens = pulumi.secret(tokens.stdout);
        const joined: Record<string, pulumi.Output<string>> = { [primary.name]: init.stdout };
        const steps: pulumi.Resource[] = [init];
        for (const n of cluster.nodes.filter((x) => x.name !== primary.name)) {
            const join = new command.local.Command(
                `${name}-join-${n.name}`,
                {
                    create: joinScript(n.role, advertiseAddress(n), advertiseAddress(primary)),
                    delete: JOIN_DELETE,
                    stdin: this.tokens,
                    environment: dockerCliEnv(args.dockerHosts[n.name], { PRIMARY_DOCKER_HOST: primaryHost }),
                    interpreter: ["/bin/sh", "-c"],
                },
                { parent: this, dependsOn: [...(args.ready[n.name] ?? []), tokens] },
            );
            joined[n.name] = join.stdout;
            steps.push(join);
        }
        this.ready = [...steps, ...cluster.nodes.map((n) => this.labelStep(name, n, joined[n.name], primaryHost, steps))];
        this.registerOutputs({});
    }

    /** hostplane.<label>=true on the node (from the manager): what placement constraints match. */
    private labelStep(name: string, n: ClusterNodeModel, stdout: pulumi.Output<string>, primaryHost: pulumi.Input<string>, after: pulumi.Resource[]): command.local.Command {
        const id = pulumi.unsecret(stdout).apply((s) => s.trim().split(/\s+/)[1] ?? "");
        const add = n.labels.map((l) => `--label-add ${nodeLabelKey(l)}=true`).join(" ");
        const rm = n.labels.map((l) => `--label-rm ${nodeLabelKey(l)}`).join(" ");
        return new command.local.Command(
            `${name}-labels-${n.name}`,
            {
                create: pulumi.interpolate`docker node update ${add} ${id} >/dev/null`,
                // The node may be gone already (it left with its join step): nothing to undo then.
                delete: pulumi.interpolate`docker node update ${rm} ${id} >/dev/null 2>&1 || true`,
                environment: dockerCliEnv(primaryHost),
            },
            { parent: this, dependsOn: after },
        );
    }
}
