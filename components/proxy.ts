// Proxy: the nginx reverse proxy, the only container that publishes ports (80/443 on 0.0.0.0).
//
// Its config never reaches it through container `uploads` (a changed upload replaces the
// container, and a container publishing ports cannot be replaced without downtime). Instead:
//   1. certs:  certificates into a volume, generated once per host if missing (self-signed, or a
//              self-signed placeholder until certbot has run), or written from Pulumi secrets;
//   2. config: the rendered files go to a candidate directory on the host, are checked with
//              `nginx -t` in a throwaway container (no network: upstreams resolve at run time), and
//              only then copied into the live directory the proxy mounts. A bad config fails
//              `pulumi up` with nginx's message and the proxy keeps serving the old one. The files
//              name the revision of each routed app (render/upstreams.ts), so this step waits for
//              every app it routes to: the live directory never points at an unhealthy revision;
//   3. reload: `nginx -t && nginx -s reload` inside the running proxy, triggered by the config
//              hash: the cutover switch. New workers send new requests to the new revisions; old
//              workers finish the requests they hold. Old revisions stop only after this, when
//              Pulumi deletes them at the end of the update (components/app.ts).
// The container itself is replaced only when its image (or ports/networks) changes.
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { PlatformModel } from "../config/model";
import { HOST_ROOT, HostFile, sha256 } from "../render";
import { CONTAINER_ACME_WEBROOT, CONTAINER_AUTH_DIR, CONTAINER_CERT_DIR, CONTAINER_CONF_DIR, PROXY_HOST_DIR } from "../render/nginx";
import type { DockerRuntime } from "../runtime/docker";
import { dockerRuntime, type StackContext } from "./context";
import { certbotWorkload, proxyVolumes, proxyWorkload } from "../spec/proxy";
import { dockerCliEnv } from "./hosts/ssh-client";
import { stackSecret } from "./secrets";
import { deliveryStep } from "./delivery";
import { BASH, hostScriptCall } from "./host-script";

/** What the proxy reads of the model: naming, its own model, the monitoring network's name. */
export type ProxyModelContext = StackContext & Pick<PlatformModel, "proxy" | "monitoringNetworkName">;

export interface ProxyArgs {
    model: ProxyModelContext;
    provider: docker.Provider;
    /** DOCKER_HOST for the docker CLI steps. */
    dockerHost: pulumi.Input<string>;
    /** Environment networks by environment name; the proxy joins only those it routes to. */
    networks: Record<string, docker.Network>;
    /** The monitoring network: joined only when the proxy routes to Grafana or Prometheus. */
    monitoringNetwork?: docker.Network;
    /** The apps the proxy routes to: the reload waits for them. */
    apps: pulumi.Resource[];
    /**
     * The rendered nginx files (renderNginx with the routed apps' revision aliases): what
     * `npm run render` shows, except that render names each app's shared alias.
     */
    files: pulumi.Input<HostFile[]>;
}


export class Proxy extends pulumi.ComponentResource {
    readonly container: docker.Container;
    readonly reload: command.local.Command;
    /** sha256 of the rendered config: what triggers a reload. */
    readonly configHash: pulumi.Output<string>;
    /** Credentials of basic-auth routes, by app alias: for the operator (`pulumi stack output --show-secrets`). */
    readonly basicAuth: Record<string, { user: string; password: pulumi.Output<string> }> = {};

    constructor(name: string, args: ProxyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hostplane:proxy:Proxy", name, {}, opts);
        const { model } = args;
        const proxy = model.proxy;
        const base = `${model.prefix}-proxy`;
        const image = proxy.image;
        const env = dockerCliEnv(args.dockerHost);

        const runtime = this.runtime(args);
        const volumes = proxyVolumes(model);
        const certs = runtime.volume(volumes.certs);
        const acme = proxy.tls.mode === "letsencrypt" ? runtime.volume(volumes.acme) : undefined;
        const certsStep = this.certificates(args, base, certs, env);

        // Config: write the candidate, check it with nginx -t, then make it live.
        const files = pulumi.output(args.files);
        this.configHash = files.apply((f) => sha256(JSON.stringify(f)));
        // The live directory must not point at an app revision before it is healthy, so the step
        // waits for every app it routes to (a later reload of any kind would otherwise switch early).
        const configStep = deliveryStep(
            `${base}-config`,
            {
                image,
                root: HOST_ROOT,
                rel: PROXY_HOST_DIR.slice(HOST_ROOT.length + 1),
                // nginx -t without network (upstreams resolve at run time), with the certificates.
                checkAt: CONTAINER_CONF_DIR,
                check: `nginx -t -q -c ${CONTAINER_CONF_DIR}/nginx.conf`,
                dockerArgs: ["-v", `${base}-certs:${CONTAINER_CERT_DIR}:ro`, ...(acme ? ["-v", `${base}-acme:${CONTAINER_ACME_WEBROOT}:ro`] : [])],
            },
            files,
            [this.configHash, image],
            env,
            { parent: this, dependsOn: [certsStep, ...args.apps] },
        );

        const auth = runtime.volume(volumes.auth);
        const authStep = this.basicAuthStep(args, base, auth, env);
        this.container = runtime.run(proxyWorkload(model), [configStep, authStep]).ready as docker.Container;

        // After the proxy: the challenge needs nginx answering on port 80.
        if (proxy.tls.mode === "letsencrypt") runtime.run(certbotWorkload(model), [this.container]);

        // Reload in place once the apps it routes to are up.
        this.reload = new command.local.Command(
            `${base}-reload`,
            {
                create: hostScriptCall("reload.sh", "nginx_reload", [base]),
                interpreter: BASH,
                environment: env,
                triggers: [this.configHash, this.container.id],
                logging: "stdoutAndStderr",
            },
            { parent: this, dependsOn: [this.container, configStep, authStep, ...args.apps] },
        );

        this.registerOutputs({ container: this.container.name, configHash: this.configHash });
    }


    /**
     * Certificates (scripts/host/proxy-certs.sh): self-signed where missing, or written from
     * Pulumi secrets (provided), into the certs volume.
     */
    private certificates(args: ProxyArgs, base: string, certs: docker.Volume, env: pulumi.Input<Record<string, string>>): command.local.Command {
        const proxy = args.model.proxy;
        const certScript = hostScriptCall("proxy-certs.sh", "proxy_certs", [proxy.tls.mode, proxy.image, `${base}-certs`, CONTAINER_CERT_DIR, ...proxy.hosts]);
        const tlsEnv: pulumi.Output<Record<string, string>> =
            proxy.tls.mode === "provided"
                ? pulumi
                      .all([stackSecret(proxy.tls.certificate), stackSecret(proxy.tls.privateKey), env])
                      .apply(([c, k, e]): Record<string, string> => ({ ...e, TLS_CERTIFICATE: c, TLS_PRIVATE_KEY: k }))
                : pulumi.output(env).apply((e): Record<string, string> => ({ ...e }));
        return new command.local.Command(
            `${base}-certs-bootstrap`,
            {
                create: certScript,
                interpreter: BASH,
                environment: tlsEnv,
                // A rotated provided certificate changes the (secret) digest and rewrites the files.
                triggers: [sha256(JSON.stringify({ hosts: proxy.hosts, tls: proxy.tls })), certs.name, tlsEnv.apply((e) => sha256(JSON.stringify(e)))],
                logging: "stderr",
            },
            { parent: this, dependsOn: [certs] },
        );
    }

    /** Basic auth for admin routes: one generated password per app, as a bcrypt htpasswd in a volume. */
    private basicAuthStep(args: ProxyArgs, base: string, auth: docker.Volume, env: pulumi.Input<Record<string, string>>): command.local.Command {
        const { model } = args;
        const proxy = model.proxy;
        const image = proxy.image;
        const protectedAliases = [...new Set(proxy.routes.filter((r) => r.basicAuth).map((r) => r.alias))].sort();
        const hashes = protectedAliases.map((alias) => {
            const pw = new random.RandomPassword(`${model.prefix}-${alias}-basic-auth`, { length: 24, special: false }, { parent: this });
            this.basicAuth[alias] = { user: "admin", password: pw.result };
            return pw.bcryptHash;
        });
        return new command.local.Command(
            `${base}-auth`,
            {
                // The hashes come as HTPASSWD_<i>, never on the command line.
                create: hostScriptCall("basic-auth.sh", "basic_auth", [image, `${base}-auth`, CONTAINER_AUTH_DIR, ...protectedAliases]),
                interpreter: BASH,
                environment: pulumi.all([env, pulumi.all(hashes)]).apply(([e, h]) => Object.assign({ ...e }, ...h.map((x, i) => ({ [`HTPASSWD_${i}`]: x })))),
                triggers: [pulumi.all(hashes).apply((h) => sha256(JSON.stringify([protectedAliases, h])))],
                logging: "stderr",
            },
            { parent: this, dependsOn: [auth] },
        );
    }

    /** The Docker runtime of the proxy's containers: the environment networks, and the monitoring one. */
    private runtime(args: ProxyArgs): DockerRuntime {
        const { model } = args;
        if (model.proxy.monitoring && !args.monitoringNetwork) throw new Error("the proxy routes to a monitoring UI but got no monitoring network");
        return dockerRuntime(model, args.provider, { ...args.networks, ...(args.monitoringNetwork ? { [model.monitoringNetworkName]: args.monitoringNetwork } : {}) }, this);
    }
}
