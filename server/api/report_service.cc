#include "api/report_service.h"
