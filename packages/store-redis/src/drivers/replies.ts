/** Reply checks for drivers that get untyped replies (Bun's `send`, Upstash's JSON): a wrong shape is an error naming the client. */
export interface ReplyReaders {
  asString(value: unknown): string;
  asNumber(value: unknown): number;
  asStrings(value: unknown): string[];
}

export function replyReaders(client: string): ReplyReaders {
  const asString = (value: unknown): string => {
    if (typeof value !== 'string') throw new Error(`@sess/store-redis: ${client} sent ${typeof value} for a string reply`);
    return value;
  };
  return {
    asString,
    asNumber(value) {
      if (typeof value !== 'number') throw new Error(`@sess/store-redis: ${client} sent ${typeof value} for an integer reply`);
      return value;
    },
    asStrings(value) {
      if (!Array.isArray(value)) throw new Error(`@sess/store-redis: ${client} sent no array for an array reply`);
      return value.map(asString);
    },
  };
}
