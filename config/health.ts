// The one health-check shape: Docker's HEALTHCHECK as every layer (model, catalog kinds, the Docker
// runtime, the compose renderer) passes it around. Durations are written as in the config ("10s").
export interface HealthCheck {
    /** Docker's test, e.g. ["CMD-SHELL", "curl -fsS http://127.0.0.1:8000/health || exit 1"]. */
    test: string[];
    interval: string;
    timeout: string;
    retries: number;
    startPeriod: string;
}
