// open_job_queue (see job_queue.h).
#include "jobs/job_queue.h"
#include "jobs/memory_queue.h"
#include "jobs/redis_queue.h"

namespace ck {

std::unique_ptr<JobQueue> open_job_queue(const std::string& url) {
  if (url == "memory") return std::make_unique<MemoryJobQueue>();
  if (url.rfind("redis://", 0) == 0) return std::make_unique<RedisJobQueue>(url);
  throw QueueError("unknown queue '" + url + "': expected \"memory\" or redis://[:password@]host:port[/db]");
}

}  // namespace ck
