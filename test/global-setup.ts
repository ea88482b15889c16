// Replaced by the real one below once the testing package lands.
export default async function setup(): Promise<void> {}
