/**
 * A generated group-chat corpus for hot topics (issue 15, done-when 1):
 * 1,000 messages, 40 from 12 residents about the elevator breaking down, 30
 * from 9 about parking, 200 from one resident about dogs, the rest everyday
 * chat from 60 residents, in Chinese or English. Seeded, so every run gives
 * the same messages; shuffled, so no topic arrives in one block.
 */
export type CorpusMessage = {
  topic: 'elevator' | 'parking' | 'dogs' | 'everyday';
  userId: number;
  /** Telegram ids: distinctive numbers, so a search for them finds only them. */
  messageId: number;
  updateId: number;
  text: string;
};

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Words = {
  elevator: (pick: <T>(list: readonly T[]) => T) => string;
  parking: (pick: <T>(list: readonly T[]) => T) => string;
  dogs: (pick: <T>(list: readonly T[]) => T) => string;
  everyday: (pick: <T>(list: readonly T[]) => T, i: number) => string;
};

const ZH_VERBS = [...'买卖吃喝看听写读洗晒修种'];
const ZH_NOUNS = [...'菜饭茶书报衣被鞋鱼米果面'];

const ZH: Words = {
  elevator: (pick) =>
    `${pick(['', '今天', '刚才', '早上', '晚上'])}${pick(['1', '2', '3', '5', '7'])}栋的电梯${pick([
      '坏了',
      '又停了',
      '卡在三楼',
      '门关不上',
      '一直在响',
      '故障了',
      '不动了',
      '停运了',
    ])}，${pick(['老人上不了楼', '有人被困', '太危险', '谁能联系维修', '等了半小时', '孩子下不来'])}！`,
  parking: (pick) =>
    `${pick(['', '今天', '晚上', '周末'])}停车${pick([
      '太难了',
      '位置被占',
      '收费又涨',
      '找不到地方',
      '乱停乱放',
      '堵住消防通道',
    ])}，${pick(['外来车太多', '能不能管管', '转了三圈', '贴罚单吧', '划线不清楚'])}。`,
  dogs: (pick) =>
    `${pick(['楼下', '花园', '门口', '草坪'])}的狗${pick([
      '又在叫',
      '没拴绳',
      '到处拉屎',
      '追着小孩',
      '半夜乱吠',
    ])}，${pick(['遛狗要牵绳', '狗主人注意', '狗屎没人捡', '吓死人'])}！`,
  everyday: (pick, i) =>
    `${pick(['今天', '大家', '哈哈', '好的'])}，${ZH_VERBS[i % 12]}${ZH_NOUNS[Math.floor(i / 12) % 12]}？`,
};

const EN_NOUNS =
  'tea coffee bread soup rice noodles pizza salad apples oranges bananas grapes cake cookies milk juice yogurt cheese eggs butter honey jam pasta tacos sushi curry dumplings pancakes waffles cereal movie concert museum library bookstore bakery market gym pool beach lake river hill flowers tomatoes herbs seeds soil plants kite bicycle scooter skateboard guitar piano violin drums painting drawing knitting sewing puzzle chess cards podcast radio newspaper magazine novel comic poem recipe picnic barbecue birthday wedding holiday vacation train flight ticket passport luggage umbrella jacket sweater scarf gloves boots sneakers hat sunglasses camera phone laptop charger headphones printer lamp sofa curtain blanket pillow mirror vase candle'.split(
    ' ',
  );

const EN: Words = {
  elevator: (pick) =>
    `${pick(['ugh,', 'again:', 'hey all,', 'heads up:', 'seriously,', 'fyi'])} the elevator ${pick([
      'is broken',
      'stopped between floors',
      'door will not close',
      'keeps beeping',
      'is stuck on floor five',
      'is out of order',
      'makes a grinding noise',
      'shut down',
    ])}, ${pick([
      'grandma cannot get upstairs',
      'somebody was trapped',
      'this is dangerous',
      'who can call the repair company',
      'waited half an hour',
      'the kids cannot get down',
    ])}!`,
  parking: (pick) =>
    `${pick(['', 'tonight', 'this weekend'])} parking ${pick([
      'is impossible',
      'spots are taken by strangers',
      'fees went up again',
      'lot is full',
      'is chaotic',
      'blocks the fire lane',
    ])}, ${pick(['too many outside cars', 'can someone act', 'drove around three times', 'issue fines', 'lines are unclear'])}.`,
  dogs: (pick) =>
    `the dog ${pick(['downstairs', 'in the garden', 'at the gate', 'on the lawn'])} ${pick([
      'is barking again',
      'is off the leash',
      'left a mess everywhere',
      'chased the children',
      'howled all night',
    ])}, ${pick(['leash your dog', 'owners take care', 'nobody cleans the poop', 'so scary'])}!`,
  everyday: (pick, i) =>
    `${pick(['hi', 'haha', 'ok', 'thanks'])}, anyone into ${EN_NOUNS[i % EN_NOUNS.length]}?`,
};

/** The 1,000 messages of the corpus in `language`, in a seeded random order. */
export function hotTopicsCorpus(language: 'zh' | 'en', seed = 15): CorpusMessage[] {
  const rand = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const words = language === 'zh' ? ZH : EN;
  const out: Omit<CorpusMessage, 'messageId' | 'updateId'>[] = [];
  const residents = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => 7_310_000 + from + i);
  const elevator = residents(100, 12);
  const parking = residents(200, 9);
  const [dogOwner = 0] = residents(300, 1);
  const everyday = residents(400, 60);
  for (let i = 0; i < 40; i++) {
    out.push({ topic: 'elevator', userId: elevator[i % 12] ?? 0, text: words.elevator(pick) });
  }
  for (let i = 0; i < 30; i++) {
    out.push({ topic: 'parking', userId: parking[i % 9] ?? 0, text: words.parking(pick) });
  }
  for (let i = 0; i < 200; i++)
    out.push({ topic: 'dogs', userId: dogOwner, text: words.dogs(pick) });
  for (let i = 0; i < 730; i++) {
    out.push({ topic: 'everyday', userId: pick(everyday), text: words.everyday(pick, i) });
  }
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as (typeof out)[number], out[i] as (typeof out)[number]];
  }
  return out.map((m, i) => ({ ...m, messageId: 8_120_000 + i, updateId: 9_430_000 + i }));
}
