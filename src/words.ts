/** Counted nouns for people: "1 OU", "2 OUs", "1 policy", "3 policies". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
