/** Variables the HTTP middleware sets for the handlers after it. */
export interface AppEnv {
  Variables: {
    /** The authenticated customer (`sub` of the bearer token). */
    customerId: string;
  };
}
