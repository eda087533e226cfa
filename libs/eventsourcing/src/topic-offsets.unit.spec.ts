import { fetchTopicOffsetsRetrying } from './topic-offsets';

const offsets = [{ partition: 0, offset: '5', high: '5', low: '0' }];
const notLeader = Object.assign(new Error('This server is not the leader for that topic-partition'), { retriable: true });

describe('fetchTopicOffsetsRetrying', () => {
  it('should retry a retriable error until the offsets come', async () => {
    const fetchTopicOffsets = jest.fn().mockRejectedValueOnce(notLeader).mockRejectedValueOnce(notLeader).mockResolvedValue(offsets);
    await expect(fetchTopicOffsetsRetrying({ fetchTopicOffsets }, 't', 5, 1)).resolves.toEqual(offsets);
    expect(fetchTopicOffsets).toHaveBeenCalledTimes(3);
  });

  it('should give up after the attempts with the last error', async () => {
    const fetchTopicOffsets = jest.fn().mockRejectedValue(notLeader);
    await expect(fetchTopicOffsetsRetrying({ fetchTopicOffsets }, 't', 3, 1)).rejects.toThrow(/not the leader/);
    expect(fetchTopicOffsets).toHaveBeenCalledTimes(3);
  });

  it('should not retry an error that is not retriable', async () => {
    const fetchTopicOffsets = jest.fn().mockRejectedValue(new Error('topic does not exist'));
    await expect(fetchTopicOffsetsRetrying({ fetchTopicOffsets }, 't', 5, 1)).rejects.toThrow(/does not exist/);
    expect(fetchTopicOffsets).toHaveBeenCalledTimes(1);
  });
});
