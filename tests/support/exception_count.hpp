// How many exception objects the calling thread has created: every throw,
// and every exception_ptr Asio makes for a failed operation. A test reads it
// before and after a run to show that a successful run created none.
#pragma once

namespace test {

int exceptions_created_on_this_thread();

}  // namespace test
