/**
 * English words too common in group chat to say anything about a topic:
 * articles, pronouns, auxiliaries, prepositions, greetings and fillers.
 */
export const STOPWORDS_EN: ReadonlySet<string> = new Set(
  `
a an the and or but if then so because as of at by for with about against between into through during before after above below to from up down in out on off over under again further once here there when where why how all any both each few more most other some such no nor not only own same than too very can will just should now
i me my myself we our ours you your yours he him his she her it its they them their what which who whom this that these those am is are was were be been being have has had having do does did doing would could might must shall may
im i'm it's its dont don't doesn't didn't isn't aren't wasn't can't cannot won't let's that's there's what's
hi hello hey thanks thank please ok okay yes yeah yep no nope sure lol haha good great nice morning evening night today tomorrow yesterday tonight week weekend really also still already just like get got go going know think see anyone everyone someone somebody anybody everybody people neighbor neighbors guys folks thing things one two lot lots much many again well
`
    .split(/\s+/)
    .filter((word) => word.length > 0),
);
