/**
 * 简体中文消息目录。键与参数约定见 catalog-en.ts；用语取自方案原文：
 * 议题、附议、公示、表决、决议、牵头单位、配合单位、完成时限、约谈负责人、
 * 民主监督小组、街道办介入督办、满意度测评、参与积分、楼栋议事代表。
 * 命令及其参数保持英文（/vote 12 for）。
 */
import type { MessageKey } from './catalog-en.ts';

export const zhCN: Record<MessageKey, string> = {
  // 议题状态
  'state.proposal.collecting': '征集附议中',
  'state.proposal.agenda': '已列入议题',
  'state.proposal.noticed': '公示中',
  'state.proposal.voting': '表决中',
  'state.proposal.passed': '已通过',
  'state.proposal.rejected': '未通过',
  'state.proposal.no_quorum': '参与人数不足',
  'state.proposal.expired': '已过期（附议不足）',
  'state.proposal.withdrawn': '已撤回',

  // 决议状态
  'state.resolution.assigned': '已交办',
  'state.resolution.in_progress': '执行中',
  'state.resolution.done': '已完成，满意度测评中',
  'state.resolution.evaluated': '已测评',
  'state.resolution.overdue': '已逾期',

  // 表决选项
  'choice.for': '赞成',
  'choice.against': '反对',
  'choice.abstain': '弃权',

  // 角色
  'role.resident': '居民',
  'role.representative': '楼栋议事代表',
  'role.committee': '居委会',
  'role.supervisor': '民主监督小组',
  'role.executor': '执行单位',
  'role.street_office': '街道办',

  // 逾期问责升级
  'escalation.label.1': '一级：约谈负责人',
  'escalation.label.2': '二级：监督小组跟进',
  'escalation.label.3': '三级：街道办介入督办',

  // 参与积分类型
  'points.kind.propose': '提出议题',
  'points.kind.cosign': '附议',
  'points.kind.vote': '参与表决',
  'points.kind.progress_check': '报告执行进度',

  // 按钮
  'button.cosign': '附议',
  'button.vote_for': '赞成',
  'button.vote_against': '反对',
  'button.vote_abstain': '弃权',
  'button.survey_yes': '满意',
  'button.survey_no': '不满意',
  'button.follow_up': '发起跟进议题',

  // Slack 中不带标题的 /yishi propose 打开的表单
  'modal.propose.heading': '发起议题',
  'modal.propose.submit': '提交',
  'modal.propose.cancel': '取消',
  'modal.propose.title': '标题',
  'modal.propose.details': '详情（选填）',
  'modal.propose.category': '类别',
  'modal.propose.title_missing': '请填写标题：用一句话说明您的提议。',
  'modal.propose.too_long': '最多 {max} 个字，请精简后再提交。',

  // 议题卡片
  'card.proposal.heading': '议题 #{number}：{title}',
  'card.proposal.body': '详情：{body}',
  'card.proposal.category': '类别：{category}',
  'card.proposal.author': '提议住户：{unit}',
  'card.proposal.state': '状态：{state}',
  'card.proposal.cosigns': '附议 {count}/{threshold}',
  'card.proposal.cosigns_needed': '{remaining, plural, =0 {附议已达标} other {还差 # 个附议}}',
  'card.proposal.cosign_deadline': '附议截止：{deadline}',
  'card.proposal.notice': '公示中，{opensAt} 开始表决',
  'card.proposal.vote_times': '表决时间：{opensAt} 至 {closesAt}',
  'card.proposal.how_to_cosign': '点击“附议”按钮或发送 {cmd}cosign {number} 即可附议。',

  // 表决卡片：只显示参与情况，不显示实时票数
  'card.vote.heading': '表决：议题 #{number} {title}',
  'card.vote.turnout': '当前参与：{voted}/{eligible}（{turnout, number, percent}）',
  'card.vote.quorum': '参与达到 {needed}/{eligible} 方为有效。',
  'card.vote.rule': '赞成票达到参与人数的 {passRatio} 以上即通过。',
  'card.vote.closes': '表决截止：{closesAt}',
  'card.vote.how_to_vote':
    '点击按钮或发送 {cmd}vote {number} for|against|abstain 投票（for 赞成，against 反对，abstain 弃权）。截止前可以改票，个人选择不会公开。',
  'card.vote.paper': '使用纸质选票的居民，可由楼栋议事代表代录。',

  // 表决结果卡片
  'card.result.heading': '表决结果：议题 #{number} {title}',
  'card.result.outcome':
    '{result, select, passed {✅ 已通过} rejected {❌ 未通过} other {⚪ 参与人数不足，表决无效}}',
  'card.result.tally': '赞成 {for} · 反对 {against} · 弃权 {abstain}',
  'card.result.turnout': '参与 {voted}/{eligible}（{turnout, number, percent}），有效需 {needed}。',
  'card.result.next':
    '{result, select, passed {下一步：由居委会确定牵头单位、配合单位和完成时限（{cmd}assign {number} lead=NAME due=YYYY-MM-DD）。} rejected {该议题未获通过。修改后可发送 {cmd}propose TITLE 重新提出。} other {本次表决未形成决议。如需重新表决，请发送 {cmd}propose TITLE 重新提出。}}',

  // 决议卡片
  'card.resolution.heading': '决议 #{number}：{title}',
  'card.resolution.lead': '牵头单位：{lead}',
  'card.resolution.coop': '{count, plural, =0 {配合单位：无} other {配合单位：{units}}}',
  'card.resolution.due': '完成时限：{due}',
  'card.resolution.state': '状态：{state}',
  'card.resolution.progress': '执行进度：{percent}%',
  'card.resolution.latest_note': '最新进展：{note}',
  'card.resolution.no_note': '暂无进度报告。',
  'card.resolution.overdue': '⚠️ 已逾期{days, plural, =0 {，不足 1 天} other { # 天}}',
  'card.resolution.escalation': '🔺 问责升级：{label}',
  'card.resolution.flagged': '⚠️ 满意度未达标，已标记为需跟进',
  'card.resolution.how_to_report':
    '牵头单位请发送 {cmd}progress {number} PCT NOTE 报告进度，完成后发送 {cmd}done {number} NOTE。',

  // 满意度测评卡片
  'card.survey.heading': '满意度测评：决议 #{number} {title}',
  'card.survey.question':
    '您对这项决议的执行结果满意吗？请在 {closesAt} 前点击按钮或发送 {cmd}survey {number} yes|no 作答（yes 满意，no 不满意）。',
  'card.survey.answered': '{answered, plural, =0 {暂无人作答} other {已有 # 人作答}}',
  'card.survey.result':
    '{verdict, select, satisfied {✅ {answered} 人作答，{satisfied} 人满意（需 {satisfiedNeeded} 人），测评达标。} unsatisfied {⚠️ {answered} 人作答，仅 {satisfied} 人满意（需 {satisfiedNeeded} 人），已标记为需跟进。} other {无人作答，不作标记。}}',
  'card.survey.follow_up': '建议发起跟进议题：“{title}”。点击按钮，或发送 {cmd}propose {title}',

  // /join
  'join.joined':
    '欢迎！本聊天账号已绑定到{communityName} {building}号楼 {unit}。发送 {cmd}help 查看可用命令。',
  'join.code_unknown':
    '加入码无效。请对照纸条核对（只有字母和数字，没有 0/O、1/I），或向居委会申请新的加入码。',
  'join.code_used':
    '该加入码已被使用，每个加入码只能用一次。如不是您本人使用，请向居委会申请新的加入码。',
  'join.already_linked':
    '本聊天账号已绑定到 {building}号楼 {unit}，无需重复绑定。发送 {cmd}help 查看可用命令。',
  'join.code_malformed':
    '这不像是加入码。请发送 {cmd}join 加 8 位加入码，例如：{cmd}join ABCD-EFGH',

  // /propose
  'propose.proposed':
    '议题 #{number}“{title}”已发起，正在征集附议：{cosigns}/{threshold}（您已算作第一位附议人）。需在 {cosignDeadline} 前达到 {threshold} 个附议，请转告邻居。',
  'propose.proposed_noticed':
    '议题 #{number}“{title}”附议已达标（{cosigns}/{threshold}），现进入公示，{votingOpensAt} 开始表决。',

  // /cosign
  'cosign.cosigned': '您已附议 #{number}：{cosigns}/{threshold}。感谢支持！',
  'cosign.cosigned_agenda':
    '您已附议 #{number}，附议已达标（{cosigns}/{threshold}），列入议题并进入公示，{votingOpensAt} 开始表决。',
  'cosign.already_cosigned':
    '您或您家已附议过 #{number}（{cosigns}/{threshold}），不能重复附议。可邀请邻居发送 {cmd}cosign {number} 附议。',
  'cosign.not_collecting':
    '#{number} 已不在征集附议阶段（状态：{state}）。发送 {cmd}status {number} 查看进展。',
  'cosign.window_closed':
    '#{number} 的附议已于 {cosignDeadline} 截止。如问题仍需解决，可发送 {cmd}propose TITLE 重新提出议题。',

  // /schedule
  'schedule.scheduled':
    '议题 #{number} 的表决时间已确定：{votingOpensAt} 开始，{votingClosesAt} 截止，已在议题卡片上公示。',
  'schedule.too_early':
    '议题 #{number} 最早只能在 {earliestAt} 开始表决，需保证完整的公示期。请选择该时间或之后：{cmd}schedule {number} YYYY-MM-DD HH:mm',
  'schedule.wrong_state':
    '#{number} 当前无法安排表决（状态：{state}），只有已列入议题或公示中的议题可以安排。发送 {cmd}status {number} 查看详情。',

  // /vote
  'vote.recorded': '您对 #{number} 的投票已记录：{choice}。表决截止前可以改票。',
  'vote.recorded_changed': '您对 #{number} 的投票已改为：{choice}。以最后一次投票为准。',
  'vote.recorded_superseded_relay':
    '您对 #{number} 的投票已记录：{choice}。它将取代楼栋议事代表为您家代录的纸质选票。',
  'vote.already_recorded':
    '您已对 #{number} 投过“{choice}”，无需重复。如需改票，请在截止前发送 {cmd}vote {number} for|against|abstain。',
  'vote.relay_refused_own_ballot':
    '您本人对 #{number} 的投票已生效，纸质选票不能取代它。如需改票，请发送 {cmd}vote {number} for|against|abstain。',
  'vote.relay_refused_other_representative':
    '楼栋议事代表已为您家代录了 #{number} 的纸质选票。如需自己投票，请发送 {cmd}vote {number} for|against|abstain，将以您本人投票为准。',
  'vote.vote_not_open':
    '#{number} 当前不在表决期（状态：{state}）。发送 {cmd}status {number} 查看表决时间。',
  'vote.vote_closed':
    '#{number} 的表决已于 {closedAt} 截止，不能再投票。发送 {cmd}status {number} 查看结果。',
  'vote.not_eligible':
    '您不在 #{number} 的投票人名单中（名单在表决开始时确定）。如有疑问，请联系居委会。',
  'vote.private_fallback':
    '您对 #{number} 的投票已记录，投票内容不在群内显示。如需私下收到确认，请私聊我并点击“开始”。',

  // /relay
  'relay.recorded':
    '已代录 {unit} 户对 #{number} 的纸质选票 {paperRef}：{choice}。该户如在群内自行投票，将以其本人投票为准。',
  'relay.recorded_changed':
    '已将 {unit} 户对 #{number} 的纸质选票改为：{choice}（选票编号 {paperRef}）。',
  'relay.already_recorded': '您已代录 {unit} 户对 #{number} 的纸质选票“{choice}”，无需重复。',
  'relay.relay_refused_own_ballot':
    '{unit} 户已在群内对 #{number} 自行投票，以本人投票为准，纸质选票不能取代。请将纸质选票 {paperRef} 标注为未计入。',
  'relay.relay_refused_other_representative':
    '另一位楼栋议事代表已代录 {unit} 户对 #{number} 的纸质选票，只有该代表可以修改。请联系该代表，或请该户自己投票：{cmd}vote {number} for',
  'relay.vote_not_open':
    '#{number} 当前不在表决期（状态：{state}），只能在表决期内代录纸质选票。发送 {cmd}status {number} 查看表决时间。',
  'relay.vote_closed':
    '#{number} 的表决已于 {closedAt} 截止，不能再代录纸质选票。请将选票 {paperRef} 与表决记录一并存档。',
  'relay.not_eligible':
    '{unit} 户不在 #{number} 的投票人名单中（名单在表决开始时确定）。如有疑问，请联系居委会。',
  'relay.unit_unknown': '花名册中没有 {unit} 户。请按花名册填写户号，例如 201（本楼）或 3-201。',
  'relay.other_building':
    '{unit} 户不属于您代表的 {building}号楼。请联系该户所在楼栋的议事代表代录，或请该户自己投票：{cmd}vote {number} for',
  'relay.private_fallback':
    '{unit} 户对 #{number} 的纸质选票已代录，选票内容不在群内显示。如需私下收到确认，请私聊我并点击“开始”。',

  // /withdraw
  'withdraw.withdrawn': '议题 #{number} 已撤回，附议和已安排的表决随之取消。',
  'withdraw.author_after_collecting':
    '#{number} 已结束附议征集（状态：{state}），提议人不能再撤回。如需撤回，请在表决前联系居委会。',
  'withdraw.wrong_state':
    '#{number} 已无法撤回（状态：{state}），只有表决开始前的议题可以撤回。发送 {cmd}status {number} 查看详情。',

  // 到期处理
  'deadline.opened': '🗳 议题 #{number} 开始表决，{votingClosesAt} 截止，应参与 {eligible}。',
  'deadline.closed':
    '议题 #{number} 表决结束：{result, select, passed {已通过} rejected {未通过} other {参与人数不足}}。',
  'deadline.expired':
    '议题 #{number} 在征集期内未获足够附议，已过期。可发送 {cmd}propose TITLE 重新提出。',
  'deadline.unchanged':
    '#{number}：无需处理（{reason, select, wrong_state {状态已变更} not_yet {时间未到} other {议题不存在}}）。',

  // /assign
  'assign.assigned':
    '决议 #{number} 已交办：牵头单位 {lead}{coopCount, plural, =0 {} other {，配合单位 {coop}}}，完成时限 {dueAt}。已在群内公示，逾期将自动升级问责。',
  'assign.not_passed':
    '#{number} 未通过表决（状态：{state}），只有已通过的议题才能形成决议。发送 {cmd}status {number} 查看详情。',
  'assign.already_assigned': '决议 #{number} 已交办，发送 {cmd}status {number} 查看。',
  'assign.unit_unknown':
    '花名册中没有名为“{name}”的执行单位。请使用花名册上的名称：{cmd}assign {number} lead=NAME due=YYYY-MM-DD',

  // /progress
  'progress.reported':
    '决议 #{number} 执行进度：{previousPercent}% → {percent}%，已推送到群内。完成后请发送 {cmd}done {number} NOTE。',
  'progress.resolution_unknown': '没有编号为 #{number} 的决议。发送 {cmd}status 查看进行中的决议。',
  'progress.already_done':
    '决议 #{number} 已结束（状态：{state}），不能再报告进度。发送 {cmd}status {number} 查看。',

  // /done
  'done.completed': '决议 #{number} 已标记为完成，居民可在 {surveyClosesAt} 前参加满意度测评。',
  'done.resolution_unknown': '没有编号为 #{number} 的决议。发送 {cmd}status 查看进行中的决议。',
  'done.already_done':
    '决议 #{number} 已标记完成（状态：{state}）。发送 {cmd}status {number} 查看。',

  // /survey
  'survey.answered':
    '感谢参与！您对决议 #{number} 的测评已记录（{satisfied, select, true {满意} other {不满意}}），{surveyClosesAt} 前可以修改。',
  'survey.resolution_unknown': '没有编号为 #{number} 的决议。发送 {cmd}status 查看进行中的决议。',
  'survey.no_survey':
    '决议 #{number} 暂无满意度测评（状态：{state}），牵头单位标记完成后才会开启。发送 {cmd}status {number} 查看。',
  'survey.survey_closed':
    '决议 #{number} 的满意度测评已于 {surveyClosesAt} 结束，不再接受作答。发送 {cmd}status {number} 查看结果。',

  // 测评结束
  'survey_close.evaluated':
    '决议 #{number} 满意度测评结束：{verdict, select, satisfied {{answered} 人作答，{satisfied} 人满意，测评达标。} unsatisfied {{answered} 人作答，仅 {satisfied} 人满意（需 {satisfiedNeeded} 人），已标记为需跟进。} other {无人作答。}}',
  'survey_close.resolution_unknown': '没有编号为 #{number} 的决议，无需测评。',
  'survey_close.not_yet': '决议 #{number} 的满意度测评持续到 {surveyClosesAt}，届时统计结果。',
  'survey_close.wrong_state': '决议 #{number} 没有需要统计的满意度测评（状态：{state}）。',

  // /status
  'status.status': '#{number} 当前状态：{state}',
  'status.open': '进行中的议题与决议（{count}）',
  'status.proposal_unknown': '没有编号为 #{number} 的议题。发送 {cmd}status 查看进行中的议题。',
  'status.community_unknown': '本群绑定的社区已不存在。请联系居委会重新绑定本群。',
  'status.section.proposals': '议题',
  'status.section.resolutions': '决议',
  'status.proposal_line': '#{number} {title} · {state}',
  'status.resolution_line': '#{number} {title} · {state} · {percent}% · 时限 {due}',
  'status.more': '……另有 {count} 项，发送 {cmd}status N 查看单项。',
  'status.empty': '目前没有进行中的议题或决议。发送 {cmd}propose TITLE 发起议题。',

  // /points
  'points.balance': '您的参与积分：{balance}',
  'points.recent': '最近记录：',
  'points.entry': '{at} · {kind} · +{amount}',
  'points.none': '暂无积分。提出议题、附议、参与表决和报告执行进度都可获得参与积分。',

  // /lang
  'lang.set': '本聊天已切换为中文。发送 {cmd}lang en 可切换为英文。',

  // 提醒与问责升级推送
  'reminder.cosign_closing':
    '⏰ 议题 #{number}“{title}”将于 {deadline} 截止附议，目前 {count}/{threshold}。支持请发送 {cmd}cosign {number}。',
  'reminder.vote_closing':
    '⏰ 议题 #{number}“{title}”将于 {closesAt} 截止表决。当前参与 {voted}/{eligible}（{turnout, number, percent}），有效需 {needed}。请发送 {cmd}vote {number} for|against|abstain 投票。',
  'reminder.resolution_due':
    '⏰ 决议 #{number}“{title}”距完成时限{days, plural, =0 {不足 1 天} other {还有 # 天}}（{due}），当前进度 {percent}%。请{lead}发送 {cmd}progress {number} PCT NOTE 报告进度，完成后发送 {cmd}done {number} NOTE。',
  'reminder.vote_private':
    '⏰ 议题 #{number}“{title}”还没有收到您的投票，表决将于 {closesAt} 截止。请点按钮或发送 {cmd}vote {number} for|against|abstain 投票，投票内容保密。',
  'escalation.push.1':
    '🔺 决议 #{number}“{title}”已逾期（完成时限 {due}，进度 {percent}%）。启动一级问责：由居委会约谈{lead}负责人。请{lead}尽快发送 {cmd}progress {number} PCT NOTE 报告进度，或完成后发送 {cmd}done {number} NOTE。',
  'escalation.push.2':
    '🔺 决议 #{number}“{title}”已逾期 {days} 天（完成时限 {due}，进度 {percent}%）。升级为二级：由民主监督小组跟进{lead}的执行情况。请监督小组成员实地核查并反馈；发送 {cmd}status {number} 查看记录。',
  'escalation.push.3':
    '🔺 决议 #{number}“{title}”已逾期 {days} 天（完成时限 {due}，进度 {percent}%）。升级为三级：提请街道办介入督办{lead}。完整记录请发送 {cmd}status {number} 查看。',

  // 执行进度周报
  'digest.heading': '📋 {community}议事与执行进度周报（{from} 至 {to}）',
  'digest.section.collecting': '征集附议中（{count}）',
  'digest.section.voting': '表决中及即将表决（{count}）',
  'digest.section.decided': '本周表决结果（{count}）',
  'digest.section.resolutions': '执行中的决议（{count}）',
  'digest.section.overdue': '已逾期（{count}）',
  'digest.participation': '本周参与：投票 {ballots} 张，附议 {cosigns} 个，来自 {households} 户。',
  'digest.building_line': '{building}号楼：参与 {voted}/{eligible}',
  'digest.resolution_line':
    '#{number} {title} · 牵头：{lead} · 时限 {due} · 进度 {percent}% · {state}{overdue, select, true { · 已逾期} other {}}{escalated, select, true { · 🔺 {label}} other {}}',
  'digest.empty': '本周没有进行中的事项。任何居民都可以发送 {cmd}propose TITLE 发起议题。',

  // 机器人重新加入已绑定的群聊（告知居委会成员）
  'membership.chat_restored':
    '🔔 议事机器人已重新加入{community}的绑定群聊 {chat}，之后的卡片会恢复推送到该群。如仍收不到，请确认机器人在群内有发言权限；yishi chat list 可查看各群状态。',

  // 异常提醒：私信民主监督小组每位成员
  'watch.relay_burst':
    '⚠️ 异常提醒（{community}）：一位楼栋议事代表在 {minutes} 分钟内为 #{number} 代投了 {count} 张纸质选票（提醒线 {threshold} 张）。请民主监督小组核对纸质选票原件；此提醒已记入审计日志（watch.alert）。',
  'watch.relay_share':
    '⚠️ 异常提醒（{community}）：一位楼栋议事代表为 #{number} 代投了本楼栋 {count} 户的选票（提醒线 {threshold} 户）。请民主监督小组向这些住户核对纸质选票；此提醒已记入审计日志（watch.alert）。',
  'watch.join_surge':
    '⚠️ 异常提醒（{community}）：#{number} 表决开始前 {hours} 小时内有 {count} 户新加入，明显高于平时（提醒线 {threshold} 户）。请民主监督小组核实新账号确属本户；此提醒已记入审计日志（watch.alert）。',
  'watch.join_codes':
    '⚠️ 异常提醒（{community}）：同一个聊天账号在 {hours} 小时内尝试了 {count} 户的入户码（提醒线 {threshold} 户）。入户码可能已外泄，可用 yishi roster codes 重新发放；此提醒已记入审计日志（watch.alert）。',
  'watch.last_minutes_relays':
    '⚠️ 异常提醒（{community}）：#{number} 表决结束前 {minutes} 分钟内，代投的纸质选票使参与数增加了 {count} 票（提醒线 {threshold} 票）。请民主监督小组在公布结果前核对纸质选票原件；此提醒已记入审计日志（watch.alert）。',

  // /help：第一行是命令格式（各语言相同），之后是说明
  'help.heading': '您可以使用的命令（N 为议题编号）：',
  'help.slack_hint': '在 Slack 中，请在命令前加 /yishi，例如：/yishi vote 12 for',
  'help.join':
    '{cmd}join CODE\n用居委会发放的加入码（CODE）把本聊天账号绑定到您家。建议私聊我发送。',
  'help.propose':
    '{cmd}propose TITLE\n发起议题：TITLE 为标题，下一行起写详细说明，可加 #category 指定类别（如 #elevator）。附议达标后列入议题并进入表决。',
  'help.cosign': '{cmd}cosign N\n附议第 N 号议题（也可点卡片上的“附议”按钮）；附议达标即列入议题。',
  'help.schedule':
    '{cmd}schedule N YYYY-MM-DD HH:mm\n居委会：设定第 N 号议题的表决开始时间，不得早于公示期满。',
  'help.vote':
    '{cmd}vote N for|against|abstain\n投票或改票（for 赞成，against 反对，abstain 弃权；也可点按钮），截止前有效。个人选择不会在群内公开。',
  'help.relay':
    '{cmd}relay N UNIT for|against|abstain REF\n楼栋议事代表：为本楼住户 UNIT 代录纸质选票，REF 为选票编号。该户本人投票后以本人为准。',
  'help.assign':
    '{cmd}assign N lead=NAME due=YYYY-MM-DD [coop=A,B]\n居委会：把已通过的第 N 号议题形成决议，确定牵头单位、配合单位和完成时限。',
  'help.progress':
    '{cmd}progress N PCT NOTE\n牵头单位：报告第 N 号决议的执行进度（0 到 100%）并附简要说明，推送到群内。',
  'help.done': '{cmd}done N NOTE\n牵头单位：标记第 N 号决议已完成，随后开启居民满意度测评。',
  'help.survey':
    '{cmd}survey N yes|no\n对第 N 号决议的执行结果作满意度测评（yes 满意，no 不满意；也可点按钮）。',
  'help.withdraw':
    '{cmd}withdraw N\n撤回第 N 号议题（表决前）：征集附议期间可由提议人撤回，之后由居委会撤回。',
  'help.status': '{cmd}status [N]\n查看第 N 号议题或决议；不带编号则列出所有进行中的事项。',
  'help.points': '{cmd}points\n查看您的参与积分和最近记录。',
  'help.lang': '{cmd}lang zh|en\n切换本聊天的语言（中文或英文）。',
  'help.help': '{cmd}help\n列出您可以使用的命令。',
  'help.topics':
    '{cmd}topics [on|off]\n查看居民近期反复提到的话题；on/off 开始或停止统计本群消息（只计词频，不保存内容和发言人）。',

  // 热点话题（/topics 与每周卡片）
  'button.topic_draft': '发起议题：{term}',
  'topics.heading.weekly': '{community} 本周热点话题',
  'topics.heading.now': '{community} 热点话题（近 7 天）',
  'topics.item': '{rank}. “{term}”：{count} 条消息，{senders} 人提到',
  'topics.how_to_propose': '点击话题即可得到一条现成的 {cmd}propose 议题草稿。',
  'topics.empty': '暂无突出的话题：至少要有 3 位不同的居民提到才算。',
  'topics.counting_off': '本群未开启统计。发送 {cmd}topics on 开启。',
  'topics.opted_in':
    '{changed, select, true {热点话题：从现在起统计本群消息（只计词频，不保存内容、发言人或消息）。} other {本群已在统计中。}}发送 {cmd}topics off 可停止。',
  'topics.opted_out':
    '{changed, select, true {热点话题：本群已停止统计。} other {本群未在统计。}}发送 {cmd}topics on 可重新开启。',
  'topics.private_chat': '请在要统计的群里发送 {cmd}topics on 或 off，而不是在这里。',
  'topics.policy_off': '本社区未开启热点话题。开启方法：yishi community policy --set hotTopics=on',
  'topics.not_committee': '只有业委会成员可以使用 {cmd}topics。',
  'topics.draft':
    '关于“{term}”的议题草稿。复制下一行，可先修改标题，然后发送：\n{cmd}propose {term}',
  'topics.term_unknown': '这个话题已不在列表中。发送 {cmd}topics 查看当前列表。',

  // 拒绝：每条都说明下一步怎么做
  'refusal.not_joined':
    '您的聊天账号尚未绑定住户。请私聊我发送 {cmd}join CODE（加入码由居委会发放）完成绑定。',
  'refusal.chat_not_bound': '本群尚未绑定社区。请联系居委会完成绑定（yishi chat bind）后再试。',
  'refusal.group_not_bound':
    '本群尚未绑定社区，在这里发送的命令不会生效。请居委会运行 npx yishi chat bind --community 社区ID --platform {platform} --chat {chatId}{topic} 完成绑定后再试。',
  'refusal.anonymous_admin':
    '您正以匿名管理员身份发言，我无法确认您是哪位居民。请关闭“保持匿名”，或以本人身份重新发送该命令。',
  'refusal.several_communities':
    '您的账号绑定了多个社区（{communities}），私聊时无法确定您指的是哪一个。请在所在楼栋的群里发送该命令。',
  'callback.invalid': '该按钮无效或已过期，未做任何更改。发送 {cmd}status 查看最新卡片。',
  'refusal.proposal_unknown': '没有编号为 #{number} 的议题。发送 {cmd}status 查看进行中的议题。',
  'refusal.not_allowed.resident':
    '只有本社区居民可以使用 {cmd}{command}。如您住在本社区，请联系居委会在花名册中登记为居民。',
  'refusal.not_allowed.representative':
    '只有楼栋议事代表可以代录纸质选票。请联系本楼的议事代表，或自己投票：{cmd}vote {number} for',
  'refusal.not_allowed.committee':
    '只有居委会成员可以使用 {cmd}{command}。请联系居委会成员办理；发送 {cmd}help 查看您可用的命令。',
  'refusal.not_allowed.supervisor':
    '只有民主监督小组成员可以使用 {cmd}{command}。请将您的意见转告监督小组成员。',
  'refusal.not_allowed.executor':
    '只有执行单位可以使用 {cmd}{command}。请联系牵头单位报告进度，或发送 {cmd}status 关注执行情况。',
  'refusal.not_allowed.street_office': '只有街道办可以使用 {cmd}{command}。请联系居委会转达。',
  'refusal.not_allowed.author_or_committee':
    '只有 #{number} 的提议人或居委会可以撤回该议题。如您不赞同，可以不附议，或在表决时投反对票。',
  'refusal.not_allowed.lead_unit_executor':
    '只有决议 #{number} 的牵头单位可以报告进度或标记完成。如发现问题，请反映给民主监督小组；发送 {cmd}status {number} 查看进度。',
  'refusal.not_allowed.own_building':
    '只有{building}号楼的楼栋议事代表可以代录这张选票。请联系代表，或自己投票：{cmd}vote {number} for',
  'refusal.invalid.title':
    '{reason, select, empty {请填写议题标题：{cmd}propose TITLE，详细说明写在下一行。} other {标题过长（最多 {max} 字）。请精简标题，把详细说明写在下一行。}}',
  'refusal.invalid.body': '详细说明过长（最多 {max} 字），请精简后重新发送 {cmd}propose。',
  'refusal.invalid.category':
    '没有“{reason}”这个类别。可用类别：{categories}；不写类别则归为“其他”。',
  'refusal.invalid.opensAt':
    '{reason, select, time_missing {请同时写上日期和时间：{cmd}schedule {number} YYYY-MM-DD HH:mm} invalid_date {日期或时间不存在，请核对：{cmd}schedule {number} YYYY-MM-DD HH:mm} other {请按此格式填写表决开始时间：{cmd}schedule {number} YYYY-MM-DD HH:mm，例如 {cmd}schedule {number} 2026-12-08 19:30}}',
  'refusal.invalid.paperRef':
    '{reason, select, empty {请在末尾写上纸质选票编号：{cmd}relay {number} UNIT for|against|abstain REF} other {选票编号过长（最多 {max} 个字符），请填写选票上的编号。}}',
  'refusal.invalid.unit':
    '{reason, select, relay_needs_household_voters {本社区按居民个人表决，不按户表决，因此不能按户代录纸质选票。请该居民绑定账号后自己投票：{cmd}vote {number} for} other {请按花名册填写户号，例如 201 或 3-201：{cmd}relay {number} UNIT for|against|abstain REF}}',
  'refusal.invalid.lead':
    '请写明牵头单位：{cmd}assign {number} lead=NAME due=YYYY-MM-DD [coop=A,B]',
  'refusal.invalid.due':
    '{reason, select, in_past {完成时限必须晚于现在，请选择以后的日期：due=YYYY-MM-DD} invalid_date {日期不存在，请核对月份和日期：due=YYYY-MM-DD} other {请按此格式填写完成时限：due=YYYY-MM-DD，例如 due=2026-12-31}}',
  'refusal.invalid.milestones':
    '里程碑过多（最多 {max} 个），请只保留主要节点后重新发送 {cmd}assign。',
  'refusal.invalid.milestones.title':
    '{reason, select, empty {每个里程碑都需要名称。} other {里程碑名称过长（最多 {max} 字），请精简。}}',
  'refusal.invalid.milestones.due':
    '{reason, select, in_past {里程碑日期必须晚于现在，请选择以后的日期（YYYY-MM-DD）。} invalid_date {里程碑日期不存在，请核对月份和日期（YYYY-MM-DD）。} other {里程碑日期请写成 YYYY-MM-DD，例如 2026-12-31}}',
  'refusal.invalid.note':
    '{reason, select, empty {请附上简要说明（将向居民公示）：{cmd}progress {number} PCT NOTE 或 {cmd}done {number} NOTE} other {说明过长（最多 {max} 字），请精简。}}',
  'refusal.invalid.percent': '进度应为 0 到 100 的整数，例如：{cmd}progress {number} 60 NOTE',
  'refusal.invalid.answer':
    '请回答 yes 或 no，例如：{cmd}survey {number} yes（也可以打 1 到 5 分）。',
  'refusal.invalid.number':
    '请在命令后写上编号，例如：{cmd}{command} 12。发送 {cmd}status 查看编号。',
  'refusal.invalid.choice':
    '请选择 for（赞成）、against（反对）或 abstain（弃权），例如：{cmd}vote {number} for',
  'refusal.invalid.locale': '本聊天可使用中文或英文：发送 {cmd}lang zh 或 {cmd}lang en',
  'refusal.invalid.arguments': '命令格式不对，正确用法：\n{usage}',

  // 其他错误
  'error.unknown_command': '没有 {cmd}{command} 这个命令。发送 {cmd}help 查看可用命令。',
  'error.internal': '系统出了点问题，请稍后再试；如多次出现，请告知居委会。',

  // 公示栏（网页、订阅、打印公示）
  'board.title': '{community} 公示栏',
  'board.intro': '居民议定了什么、由谁落实、何时完成。',
  'board.nav.board': '公示栏',
  'board.nav.participation': '参与情况',
  'board.nav.feed': 'Atom 订阅',
  'board.nav.calendar': '日历订阅（iCal）',
  'board.nav.print': '打印公示',
  'board.nav.other_language': 'English',
  'board.section.collecting': '征集附议中的议题',
  'board.section.votes': '表决公示与进行中的表决',
  'board.section.results': '近期表决结果',
  'board.section.resolutions': '决议执行进度',
  'board.section.done': '已完成的决议',
  'board.section.hot_topics': '居民近期热议（近 7 天）',
  'board.hot_topic': '“{term}”：{senders} 人提及，共 {count} 条消息',
  'board.none': '暂无。',
  'board.done_more':
    '显示最近完成的 {shown} 项，共 {total} 项；每项决议都有自己的页面，也在订阅源中。',
  'board.cosigns': '附议：{count}/{threshold}',
  'board.cosign_deadline': '附议截止：{date}',
  'board.vote_opens': '表决开始：{date}',
  'board.vote_closes': '表决截止：{date}',
  'board.turnout': '参与：{ballots}/{eligible}（{share, number, percent}）',
  'board.tally_hidden': '赞成、反对票数在表决结束后公布。',
  'board.tally': '赞成 {for}，反对 {against}，弃权 {abstain}',
  'board.lead': '牵头单位：{lead}',
  'board.coop': '配合单位：{coop}',
  'board.due': '完成时限：{date}',
  'board.progress': '执行进度：{percent}%',
  'board.latest_note': '最新进展（{date}）：{note}',
  'board.overdue': '已逾期',
  'board.escalation': '督办 {label}',
  'board.satisfaction':
    '满意度测评：{answered} 份中 {satisfied} 份满意（{flagged, select, true {未达标，需跟进} other {达标}}）',
  'board.satisfaction_open': '满意度测评进行中',
  'board.details': '#{number} 详情',
  'board.privacy': '本页不显示居民姓名、门牌号、聊天账号或个人投票。',
  'board.updated': '截至 {date}（{timezone}）',
  'board.not_found': '没有这个公示栏或事项。请核对链接，或向居委会索取最新链接。',
  'board.item.timeline': '全过程记录',
  'board.item.no_events': '暂无记录。',
  'board.event.proposed': '提出议题',
  'board.event.agenda': '附议达到门槛，列入议题',
  'board.event.scheduled': '表决公示：{opens} 开始，{closes} 截止',
  'board.event.opened': '表决开始，有表决权 {eligible} 户（人）；{closes} 截止',
  'board.event.closed':
    '表决结束：{result}。赞成 {for}，反对 {against}，弃权 {abstain}（有表决权 {eligible}）',
  'board.event.assigned': '交办：牵头单位 {lead}{coop}；完成时限 {due}',
  'board.event.assigned_coop': '，配合单位 {coop}',
  'board.event.progress': '执行进度报告：{percent}%，{note}',
  'board.event.escalated': '升级督办：{label}',
  'board.event.done': '报告完成：{note}',
  'board.event.survey':
    '满意度测评：{answered} 份中 {satisfied} 份满意{flagged, select, true {（未达标）} other {}}',
  'board.event.expired': '附议期满未达门槛',
  'board.event.withdrawn': '已撤回',
  'board.chain.intact': '审计日志完整，已封存至第 #{index} 条（{date}）。',
  'board.chain.intact_empty': '审计日志完整，尚无封存条目。',
  'board.chain.pending': '另有 {count} 条新记录待封存。',
  'board.chain.broken': '审计日志已被破坏：首个异常记录为第 #{index} 条（{reason}）。',
  'board.participation.title': '参与情况',
  'board.participation.intro': '按楼栋统计参与情况。不足 {min} 户的楼栋合并显示为“其他楼栋”。',
  'board.participation.by_building': '各楼栋参与表决的户数占比',
  'board.participation.building': '楼栋',
  'board.participation.households': '户数',
  'board.participation.vote': '表决 #{number}',
  'board.participation.cosigned': '近 12 个月附议或提议',
  'board.participation.other_buildings': '其他楼栋',
  'board.participation.no_votes': '尚无结束的表决。',
  'board.participation.concentration': '参与集中度',
  'board.participation.concentration_text':
    '近 12 个月，最活跃的 {top} 户（占 {households} 户的 10%）提出了 {proposals, number, percent} 的议题、{cosigns, number, percent} 的附议。',
  'board.participation.share_proposals': '议题',
  'board.participation.share_cosigns': '附议',
  'board.participation.share_of_top': '最活跃 10% 住户的占比',
  'board.participation.trend': '每月参与户数',
  'board.participation.month': '月份',
  'board.participation.active': '参与户数',
  'board.participation.share': '占比',
  'board.print.resolution': '决议公示',
  'board.print.vote': '表决公示',
  'board.print.scan': '扫码查看详情与执行进度',
  'board.print.posted': '公示日期：{date}',
  'board.print.issuer': '{community} 居民委员会',
  'board.print.not_printable': '只有已通过的决议和已公示的表决可以打印公示。',
  'feed.title': '{community}：决议与执行进度',
  'feed.result': '#{number} {title}：{result}',
  'feed.assigned': '#{number} {title}：交办 {lead}，完成时限 {due}',
  'feed.progress': '#{number} {title}：执行进度 {percent}%',
  'feed.escalated': '#{number} {title}：{label}',
  'feed.done': '#{number} {title}：已完成',
  'calendar.name': '{community}：表决与完成时限',
  'calendar.opens': '表决开始：#{number} {title}',
  'calendar.closes': '表决截止：#{number} {title}',
  'calendar.due': '完成时限：#{number} {title}（{lead}）',
  'home.title': '议事 yishi',
  'home.text': '社区议事平台：在居民群里提出议题、附议、表决，并跟踪决议的执行进度。',
  'home.start':
    '居民：加入本社区的群，发送 /help。居委会：请看 README（npx yishi community create）。公示栏地址为 /board/KEY，请向居委会索取链接。',
  'home.version': '版本 {version}',
  'card.board_link': '查看公示页',
};
