import { setupTestServices } from '@flowq/testing';

export default async function setup(): Promise<() => Promise<void>> {
  return setupTestServices();
}
