/**
 * Chinese words too common in group chat to say anything about a topic:
 * pronouns, particles, greetings, time words, fillers, and the addresses
 * every message carries (号楼, 单元). Words and Han
 * character pairs both pass through this list, so pairs that are only
 * grammar (的人, 了吗) belong here too. Kept short and readable: a word
 * missing here costs a noisy candidate, which the distinct-sender and
 * volume bars usually stop anyway.
 */
export const STOPWORDS_ZH: ReadonlySet<string> = new Set(
  `
我们 你们 他们 她们 它们 大家 自己 咱们 人家 别人 有人 什么 怎么 怎么样 为什么 哪里 哪个 这个 那个 这些 那些 这样 那样 这里 那里 这边 那边
今天 明天 昨天 后天 现在 刚才 刚刚 早上 上午 中午 下午 晚上 今晚 昨晚 周末 最近 时候 一下 一直 一起 一样 一点 一些 有点 还是 还有 就是 但是 可是 因为 所以 如果 然后 而且 或者 不过 只是 已经 还没 没有 不是 是不是 可以 可能 应该 需要 知道 觉得 看看 好的 好吧 谢谢 感谢 多谢 辛苦 你好 您好 大家好 早安 晚安 哈哈 哈哈哈 嗯嗯 好啊 是的 对的 收到 了解 明白 没事 不用 真的 其实 非常 特别 比较 太多 太少 很多 很少 好多 不少 还好 不错 可惜 麻烦 请问 问下 问一下 各位 邻居 邻居们 朋友 小区 号楼 几号楼 单元 楼上 楼下 我家 你家 他家 这么 那么 多少 几个 每天 经常 总是 又是 又要 也是 也有 都是 都有 就有 就要 要是 的话 的人 了吗 了吧 了啊 吗吗 一个 两个 不了 有没有 能不能 会不会 是否 一定 肯定 终于 马上 赶紧
`
    .split(/\s+/)
    .filter((word) => word.length > 0),
);

/**
 * Characters that are grammar rather than meaning: a Han character pair
 * holding one of them (楼的, 的电, 又坏) is dropped, because pairs are taken
 * across word boundaries and these are what joins words.
 */
export const FUNCTION_CHARACTERS_ZH: ReadonlySet<string> = new Set([
  ...'的了吗呢啊吧呀嘛哦是在有和与及就都也又还很太没不我你他她它这那个们么吗得地着过被把给让从向对',
]);
